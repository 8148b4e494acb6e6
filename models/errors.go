package models

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors; the API maps each to one HTTP status.
var (
	ErrNotFound     = errors.New("not found")
	ErrConflict     = errors.New("conflict")
	ErrUnauthorized = errors.New("unauthorized")
	ErrForbidden    = errors.New("forbidden")
	ErrRateLimited  = errors.New("too many attempts")
)

// FieldError says what is wrong with one field of the input.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ValidationError is input that breaks a rule; it lists every field at fault.
type ValidationError struct {
	Errors []FieldError
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Errors))
	for i, f := range e.Errors {
		parts[i] = f.Field + ": " + f.Message
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// Invalid builds a ValidationError for one field.
func Invalid(field, format string, args ...any) *ValidationError {
	return &ValidationError{Errors: []FieldError{{Field: field, Message: fmt.Sprintf(format, args...)}}}
}

// Problems collects field errors while checking input; Err returns nil when there are none.
type Problems struct{ list []FieldError }

// Add records a problem with a field.
func (p *Problems) Add(field, format string, args ...any) {
	p.list = append(p.list, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Err is the collected ValidationError, or nil.
func (p *Problems) Err() error {
	if len(p.list) == 0 {
		return nil
	}
	return &ValidationError{Errors: p.list}
}

// ConflictError is a request that the current state forbids; Detail says why, and
// Allowed lists the moves that would be allowed, when there is such a list. When the
// conflict will pass by itself, RetryAfterSeconds says when to try again.
type ConflictError struct {
	Detail            string
	Allowed           []string
	RetryAfterSeconds int
}

func (e *ConflictError) Error() string { return e.Detail }
func (e *ConflictError) Unwrap() error { return ErrConflict }

// Conflict builds a ConflictError.
func Conflict(format string, args ...any) *ConflictError {
	return &ConflictError{Detail: fmt.Sprintf(format, args...)}
}

// RateLimitError says a caller must wait before trying again.
type RateLimitError struct {
	RetryAfterSeconds int
}

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("too many attempts; try again in %d seconds", e.RetryAfterSeconds)
}
func (e *RateLimitError) Unwrap() error { return ErrRateLimited }

// ForbiddenFieldsError is a change to fields the caller's role may not change; Errors
// names each one.
type ForbiddenFieldsError struct {
	Errors []FieldError
}

func (e *ForbiddenFieldsError) Error() string {
	fields := make([]string, len(e.Errors))
	for i, f := range e.Errors {
		fields[i] = f.Field
	}
	return "you may not change " + strings.Join(fields, ", ")
}
func (e *ForbiddenFieldsError) Unwrap() error { return ErrForbidden }
