package api

import (
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/scrapstore/scrapstore/models"
)

// The OpenAPI document is generated from the route table and the Go types of each
// route's body and response, so the document, the router and the handlers cannot drift
// apart: a route exists in all three or in none.

type jsonObject = map[string]any

func (s *Server) openapiDoc(c echo.Context) error {
	return c.JSONBlob(http.StatusOK, s.openapi())
}

var pathParam = regexp.MustCompile(`:([a-z_]+)`)

// OpenAPIPath turns an echo path (/users/:id) into an OpenAPI one (/users/{id}).
func OpenAPIPath(p string) string { return pathParam.ReplaceAllString(p, "{$1}") }

// OpenAPI renders the document as JSON.
func (s *Server) OpenAPI() []byte {
	g := &schemaGen{defs: jsonObject{}}
	g.schema(reflect.TypeOf(Problem{})) // registers the Problem component
	paths := jsonObject{}
	for _, r := range s.routes {
		path := OpenAPIPath(r.path)
		item, _ := paths[path].(jsonObject)
		if item == nil {
			item = jsonObject{}
			paths[path] = item
		}
		item[strings.ToLower(r.method)] = g.operation(r)
	}
	doc := jsonObject{
		"openapi": "3.0.3",
		"info": jsonObject{
			"title":       "Scrapstore API",
			"version":     s.Config.Version,
			"description": "The API of Scrapstore, the system a community scrapstore runs on. Errors are application/problem+json (RFC 9457).",
		},
		"paths": paths,
		"components": jsonObject{
			"schemas":         g.defs,
			"securitySchemes": jsonObject{"bearer": jsonObject{"type": "http", "scheme": "bearer"}},
		},
	}
	b, _ := json.Marshal(doc)
	return b
}

func (g *schemaGen) operation(r route) jsonObject {
	op := jsonObject{"summary": r.summary, "operationId": operationID(r)}
	var params []any
	for _, m := range pathParam.FindAllStringSubmatch(r.path, -1) {
		kind := "integer"
		if m[1] != "id" {
			kind = "string"
		}
		params = append(params, jsonObject{
			"name": m[1], "in": "path", "required": true,
			"description": propertyDocs["{"+m[1]+"}"], "schema": jsonObject{"type": kind},
		})
	}
	for _, p := range r.queryParams() {
		schema := jsonObject{"type": p.kind}
		if values, ok := r.oneOf[p.name]; ok {
			schema["enum"] = values
		}
		desc := p.desc
		if desc == "" {
			desc = propertyDocs["?"+p.name]
		}
		params = append(params, jsonObject{"name": p.name, "in": "query", "description": desc, "schema": schema})
	}
	if r.method == http.MethodPost && r.idempotent {
		params = append(params, jsonObject{
			"name": "Idempotency-Key", "in": "header",
			"description": "replays the first response for the same key and body, for 24 hours",
			"schema":      jsonObject{"type": "string"},
		})
	}
	if params != nil {
		op["parameters"] = params
	}
	if r.consumes != "" {
		op["requestBody"] = jsonObject{"required": true, "content": jsonObject{r.consumes: jsonObject{"schema": jsonObject{"type": "string"}}}}
	}
	if r.body != nil {
		schema := g.schema(reflect.TypeOf(r.body))
		if fields, ok := requiredFields[r.method+" "+r.path]; ok {
			// The body type may be shared with a route that needs less (a create and its
			// PATCH), so what this one needs is said here rather than in the type's schema.
			schema = jsonObject{"allOf": []any{schema, jsonObject{"required": fields}}}
		}
		op["requestBody"] = jsonObject{"required": !r.bodyOptional, "content": jsonObject{"application/json": jsonObject{"schema": schema}}}
	}
	status := r.status
	if status == 0 {
		status = http.StatusOK
	}
	ok := jsonObject{"description": http.StatusText(status)}
	switch {
	case r.produces != "":
		ok["content"] = jsonObject{r.produces: jsonObject{"schema": jsonObject{"type": "string"}}}
	case r.resp != nil:
		ok["content"] = jsonObject{"application/json": jsonObject{"schema": g.schema(reflect.TypeOf(r.resp))}}
	}
	problem := jsonObject{"description": "an error", "content": jsonObject{
		"application/problem+json": jsonObject{"schema": jsonObject{"$ref": "#/components/schemas/Problem"}},
	}}
	op["responses"] = jsonObject{strconv.Itoa(status): ok, "default": problem}
	if r.roles != nil {
		op["security"] = []any{jsonObject{"bearer": []any{}}}
		op["x-roles"] = roleStrings(r.roles)
	}
	return op
}

func operationID(r route) string {
	id := strings.ToLower(r.method) + strings.NewReplacer("/api/v1", "", "/", "_", ":", "by_", ".", "_", "-", "_").Replace(r.path)
	return strings.Trim(id, "_")
}

// schemaGen turns Go types into JSON Schema (the OpenAPI 3.0 dialect), naming structs as
// components.
type schemaGen struct{ defs jsonObject }

var (
	timeType = reflect.TypeOf(time.Time{})
	dateType = reflect.TypeOf(models.Date{})
	rawType  = reflect.TypeOf(models.RawJSON{})
	// Grams, thousandths, metres and quarter hours are kept as whole numbers and
	// written as kilograms, quantities, kilometres and hours: numbers with decimals.
	gramsType    = reflect.TypeOf(models.Grams(0))
	milliType    = reflect.TypeOf(models.Milli(0))
	metresType   = reflect.TypeOf(models.Metres(0))
	quartersType = reflect.TypeOf(models.Quarters(0))
)

func (g *schemaGen) schema(t reflect.Type) jsonObject {
	switch t {
	case timeType:
		return jsonObject{"type": "string", "format": "date-time"}
	case dateType:
		return jsonObject{"type": "string", "format": "date"}
	case rawType:
		return jsonObject{}
	case gramsType, milliType, metresType, quartersType:
		return jsonObject{"type": "number"}
	}
	switch t.Kind() {
	case reflect.Pointer:
		s := g.schema(t.Elem())
		if _, isRef := s["$ref"]; isRef {
			return jsonObject{"allOf": []any{s}, "nullable": true}
		}
		s["nullable"] = true
		return s
	case reflect.Bool:
		return jsonObject{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return jsonObject{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return jsonObject{"type": "number"}
	case reflect.String:
		return jsonObject{"type": "string"}
	// A nil slice or map is JSON null, so the document says they may be.
	case reflect.Slice:
		return jsonObject{"type": "array", "items": g.schema(t.Elem()), "nullable": true}
	case reflect.Array:
		return jsonObject{"type": "array", "items": g.schema(t.Elem())}
	case reflect.Map:
		return jsonObject{"type": "object", "additionalProperties": g.schema(t.Elem()), "nullable": true}
	case reflect.Struct:
		name := schemaName(t)
		if _, done := g.defs[name]; !done {
			g.defs[name] = jsonObject{} // placeholder: stops recursion on self-reference
			g.defs[name] = g.structSchema(t)
		}
		return jsonObject{"$ref": "#/components/schemas/" + name}
	}
	return jsonObject{}
}

func (g *schemaGen) structSchema(t reflect.Type) jsonObject {
	props := jsonObject{}
	var required []string
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if f.Anonymous && name == "" {
				walk(f.Type)
				continue
			}
			if name == "" {
				name = f.Name
			}
			props[name] = g.property(schemaName(t), name, f)
		}
	}
	walk(t)
	name := schemaName(t)
	required = append(required, schemaRequired[name]...)
	s := jsonObject{"type": "object", "properties": props}
	if required != nil {
		s["required"] = required
	}
	if ex, ok := schemaExamples[name]; ok {
		s["example"] = ex
	}
	return s
}

// property is the schema of a struct field with its description and, for a closed set,
// its enum: from the field's oneof rule, or from the list the model checks it against.
func (g *schemaGen) property(schema, name string, f reflect.StructField) jsonObject {
	s := g.schema(f.Type)
	desc, ok := propertyDocs[schema+"."+name]
	if !ok {
		desc = propertyDocs[name]
	}
	enum := propertyEnums[schema+"."+name]
	if _, isRef := s["$ref"]; isRef {
		s = jsonObject{"allOf": []any{s}} // OpenAPI 3.0 ignores siblings of a $ref
	}
	if desc != "" {
		s["description"] = desc
	}
	if enum != nil {
		target := s
		if items, ok := s["items"].(jsonObject); ok {
			target = items
		}
		target["enum"] = enum
	}
	return s
}

var nonWord = regexp.MustCompile(`[^A-Za-z0-9]+`)

// schemaName names a struct for the components section; generic instances such as
// List[models.User] become ListUser.
func schemaName(t reflect.Type) string {
	name := t.Name()
	if i := strings.IndexByte(name, '['); i >= 0 {
		arg := name[i+1 : len(name)-1]
		if j := strings.LastIndexByte(arg, '.'); j >= 0 {
			arg = arg[j+1:]
		}
		name = name[:i] + arg
	}
	return nonWord.ReplaceAllString(name, "")
}
