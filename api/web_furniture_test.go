package api

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/scrapstore/scrapstore/models"
)

// postFiles sends a multipart form with files (field name → file name → content) and
// the visitor's CSRF token unless the form has one.
func (v *visitor) postFiles(path string, form url.Values, files map[string]map[string][]byte) *pageResult {
	v.e.t.Helper()
	if c, ok := v.cookies[csrfCookie]; ok && !form.Has(csrfField) {
		form.Set(csrfField, c.Value)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range form {
		for _, val := range vs {
			mw.WriteField(k, val)
		}
	}
	for field, byName := range files {
		for name, data := range byName {
			fw, _ := mw.CreateFormFile(field, name)
			fw.Write(data)
		}
	}
	mw.Close()
	req := httptest.NewRequest(http.MethodPost, path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return v.send(req)
}

// testPNG is a small picture, as a phone's camera would send (smaller).
func testPNG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 320, 240))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	for x := 0; x < 320; x++ {
		img.Set(x, x%240, color.RGBA{30, 90, 200, 255})
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

// location is where a 303 leads.
func (r *pageResult) location() string { return r.header.Get("Location") }

// A sofa is registered with a photo, found by its tag, refused until its fire label is
// checked, made available, reserved for a household and handed over; an electrical lamp
// fails its test, goes to repair and passes; labels print for one item and a selection.
func TestFurniturePages(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		sofaType := e.furnitureType("Three-seat sofa", 42, true, false)
		lampType := e.furnitureType("Standard lamp", 4, false, true)
		v := e.signedIn(models.RoleStaff)

		v.get("/furniture").want(http.StatusOK).has(t, `<label for="f-tag">Tag (type it or scan it)</label>`, `action="/furniture/find"`, "autofocus",
			"No furniture matches", `href="/furniture/new"`)
		v.get("/furniture/new").want(http.StatusOK).has(t, `<label for="f-type_id">Type of furniture</label>`, "Three-seat sofa (upholstered)",
			"Standard lamp (electrical)", `enctype="multipart/form-data"`, `type="file" accept="image/*" capture="environment" multiple`)
		v.postFiles("/furniture", url.Values{"description": {"blue velvet"}}, nil).want(http.StatusUnprocessableEntity).
			has(t, "There is a problem", `id="e-type_id"`, "Choose the type of furniture", "Condition is required", "blue velvet")
		v.postFiles("/furniture", url.Values{"type_id": {itoa(sofaType.ID)}, "condition": {"good"}, "weight_kg": {"heavy"}},
			map[string]map[string][]byte{"photos": {"sofa.png": testPNG()}}).
			want(http.StatusUnprocessableEntity).has(t, `id="e-weight_kg"`, "must be a number", `value="heavy"`, `id="e-photos"`, "Choose the photos again")

		res := v.postFiles("/furniture", url.Values{"type_id": {itoa(sofaType.ID)}, "condition": {"good"}, "description": {"blue velvet"}},
			map[string]map[string][]byte{"photos": {"sofa.png": testPNG()}})
		res.want(http.StatusSeeOther)
		sofa := res.location()
		page := v.get(sofa).want(http.StatusOK)
		page.has(t, "Registered as FN-000001. 1 photo kept.", "FN-000001: Three-seat sofa", "blue velvet", "42 kg (estimated from the type)",
			"Its fire-safety label is checked: <strong>not yet</strong>", "I have checked its fire-safety label", `alt="Photo 1 of FN-000001"`)
		var it models.FurnitureItem
		if err := e.store.DB(context.Background()).Where("tag = ?", "FN-000001").First(&it).Error; err != nil {
			t.Fatal(err)
		}
		if sofa != "/furniture/"+itoa(it.ID) {
			t.Fatalf("registering went to %q", sofa)
		}
		got, err := e.store.Furniture(context.Background(), it.ID)
		if err != nil || len(got.PhotoIDs) != 1 {
			t.Fatalf("photos kept: %v %v", got, err)
		}
		thumb := v.get(sofa + "/photos/" + itoa(got.PhotoIDs[0]) + "?thumb=true").want(http.StatusOK)
		if thumb.header.Get("Content-Type") != "image/jpeg" {
			t.Fatalf("thumbnail is %q", thumb.header.Get("Content-Type"))
		}

		// The scanner types the tag and Enter; case and spaces do not matter.
		v.get("/furniture/find?tag=+fn-000001+").redirectsTo(t, sofa)
		v.get("/furniture/find?tag=FN-999999").want(http.StatusNotFound).has(t, "No item has the tag FN-999999", `value="FN-999999"`,
			`aria-describedby="e-tag"`)
		v.get("/furniture/find?tag=").redirectsTo(t, "/furniture")

		v.post(sofa+"/status", url.Values{"status": {"checking"}}).redirectsTo(t, sofa)
		v.post(sofa+"/status", url.Values{"status": {"available"}}).want(http.StatusConflict).
			has(t, "FN-000001 is upholstered: check its fire-safety label", `<span class="status status-checking">checking</span>`)
		v.post(sofa+"/fire-label", url.Values{}).redirectsTo(t, sofa)
		v.get(sofa).has(t, "Fire-safety label recorded as checked.", "Its fire-safety label is checked: <strong>done</strong>").
			hasNot(t, "I have checked its fire-safety label")
		v.post(sofa+"/status", url.Values{"status": {"available"}, "reason": {"checked over"}}).redirectsTo(t, sofa)
		v.get(sofa).has(t, "FN-000001 is now available.", "Reserve it", "There are no recipients yet", "Add a household")

		v.post(sofa+"/recipients", url.Values{"name": {""}, "needs": {"a sofa and a bed"}}).want(http.StatusUnprocessableEntity).
			has(t, `id="e-name"`, "Name is required for a household", "a sofa and a bed")
		res = v.post(sofa+"/recipients", url.Values{"name": {"Khan family"}, "agency": {"Sandwell Homes"}})
		res.want(http.StatusSeeOther)
		var r models.Recipient
		if err := e.store.DB(context.Background()).Where("name = ?", "Khan family").First(&r).Error; err != nil || r.Agency != "Sandwell Homes" {
			t.Fatalf("recipient %+v: %v", r, err)
		}
		if want := sofa + "?recipient_id=" + itoa(r.ID) + "#h-reserve"; res.location() != want {
			t.Fatalf("adding a household went to %q, want %q", res.location(), want)
		}
		v.get(sofa+"?recipient_id="+itoa(r.ID)).has(t, "Khan family is added", `<option value="`+itoa(r.ID)+`" selected>Khan family</option>`)
		v.post(sofa+"/reserve", url.Values{"recipient_id": {""}}).want(http.StatusUnprocessableEntity).has(t, `id="e-recipient_id"`, "Choose who it is for")
		v.post(sofa+"/reserve", url.Values{"recipient_id": {itoa(r.ID)}}).redirectsTo(t, sofa)
		v.get(sofa).has(t, "FN-000001 is reserved.", "<dt>For</dt><dd>Khan family</dd>", "Hand it over", `value="0.00"`).
			hasNot(t, "If disposed of, how")
		v.post(sofa+"/handover", url.Values{"method": {"collected"}, "on": {e.srv.today().String()}, "charge": {"lots"}}).
			want(http.StatusUnprocessableEntity).has(t, `id="e-charge"`, `value="lots"`)
		v.post(sofa+"/handover", url.Values{"method": {"collected"}, "on": {e.srv.today().String()}, "charge": {"5"}, "received_by": {"A. Khan"}}).
			redirectsTo(t, sofa)
		v.get(sofa).has(t, "Handed over.", "status-passed_on", "passed on", "Its status does not change any more.")
		if got, _ := e.store.Furniture(context.Background(), it.ID); got.Status != models.FurnPassedOn || got.ChargePence != 0 {
			t.Fatalf("after the hand-over: %+v", got)
		}

		res = v.postFiles("/furniture", url.Values{"type_id": {itoa(lampType.ID)}, "condition": {"fair"}, "weight_kg": {"3.5"}},
			map[string]map[string][]byte{"photos": {"lamp.jpg": []byte("not a picture")}})
		lamp := res.location()
		v.get(lamp).has(t, "Registered as FN-000002. lamp.jpg was not kept: must be a JPEG or PNG image", "3.5 kg</dd>", "No photos yet.",
			"It has passed an electrical safety test: <strong>not yet</strong>")
		v.post(lamp+"/status", url.Values{"status": {"checking"}}).redirectsTo(t, lamp)
		v.post(lamp+"/status", url.Values{"status": {"available"}}).want(http.StatusConflict).has(t, "record a passed safety test")
		v.post(lamp+"/safety-test", url.Values{"tested_on": {e.srv.today().String()}, "tester": {""}}).want(http.StatusUnprocessableEntity).
			has(t, `id="e-passed"`, "Say whether it passed or failed")
		v.post(lamp+"/safety-test", url.Values{"tested_on": {e.srv.today().String()}, "tester": {"Sam PAT"}, "passed": {"no"},
			"after_failure": {"in_repair"}, "notes": {"frayed flex"}}).redirectsTo(t, lamp)
		v.get(lamp).has(t, "Safety test recorded: failed; the item is now in repair.", "frayed flex", "<td>failed</td>")
		v.post(lamp+"/safety-test", url.Values{"tested_on": {e.srv.today().String()}, "tester": {"Sam PAT"}, "passed": {"yes"}}).redirectsTo(t, lamp)
		v.post(lamp+"/status", url.Values{"status": {"available"}}).redirectsTo(t, lamp)
		v.get(lamp).has(t, "FN-000002 is now available.", "It has passed an electrical safety test: <strong>done</strong>").hasNot(t, "<details open>")
		v.post(lamp+"/safety-test", url.Values{"tested_on": {e.srv.today().String()}, "tester": {""}, "passed": {"yes"}}).
			want(http.StatusUnprocessableEntity).has(t, "<details open>", `id="e-tester"`)

		list := v.get("/furniture?status=available").want(http.StatusOK)
		list.has(t, "FN-000002", `form="labels" name="id"`, "Print labels for the ticked items").hasNot(t, "FN-000001")
		v.get("/furniture?q=velvet").has(t, "FN-000001").hasNot(t, "FN-000002")

		pdf := v.get("/furniture/labels.pdf?id=" + itoa(it.ID) + "&id=" + strings.TrimPrefix(lamp, "/furniture/")).want(http.StatusOK)
		if pdf.header.Get("Content-Type") != "application/pdf" || !bytes.Contains(pdf.body, []byte("(FN-000001)")) ||
			!bytes.Contains(pdf.body, []byte("(FN-000002)")) {
			t.Fatal("the sheet lacks a tag")
		}
		one := v.get(lamp + "/label.pdf").want(http.StatusOK)
		if !bytes.HasPrefix(one.body, []byte("%PDF")) || !bytes.Contains(one.body, []byte("(FN-000002)")) {
			t.Fatal("the label lacks its tag")
		}
		v.get("/furniture/labels.pdf").redirectsTo(t, "/furniture")
		v.get("/furniture").has(t, "Tick the items whose labels you want")
		v.get("/furniture/labels.pdf?id=999999").want(http.StatusUnprocessableEntity)
		v.get("/furniture/999999").want(http.StatusNotFound)
	})
}

// Photos added later: none chosen, too many, and a good one; then the item is disposed of.
func TestFurniturePhotoPage(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		chair := e.register(e.furnitureType("Office chair", 12, false, false).ID)
		path := "/furniture/" + itoa(chair.ID)
		v := e.signedIn(models.RoleStaff)
		v.postFiles(path+"/photos", url.Values{}, nil).want(http.StatusUnprocessableEntity).has(t, `id="e-photos"`, "Choose a photo, or take one")
		many := map[string][]byte{}
		for _, n := range []string{"a.png", "b.png", "c.png", "d.png", "e.png"} {
			many[n] = testPNG()
		}
		v.postFiles(path+"/photos", url.Values{}, map[string]map[string][]byte{"photos": many}).want(http.StatusUnprocessableEntity).
			has(t, "Choose at most 4 photos at a time")
		v.postFiles(path+"/photos", url.Values{}, map[string]map[string][]byte{"photos": {"a.png": testPNG(), "b.png": testPNG()}}).redirectsTo(t, path)
		v.get(path).has(t, "2 photos kept.", `alt="Photo 2 of `+chair.Tag+`"`)
		v.postFiles("/furniture/999999/photos", url.Values{}, map[string]map[string][]byte{"photos": {"a.png": testPNG()}}).want(http.StatusNotFound)

		// Disposal needs its route.
		v.get(path).has(t, "If disposed of, how")
		v.post(path+"/status", url.Values{"status": {"disposed"}, "disposal_route": {""}}).want(http.StatusUnprocessableEntity).
			has(t, `id="e-disposal_route"`)
		v.post(path+"/status", url.Values{"status": {"disposed"}, "disposal_route": {"recycled"}, "reason": {"broken base"}}).redirectsTo(t, path)
		v.get(path).has(t, chair.Tag+" is now disposed.", "Its status does not change any more.", "<td>broken base</td>")
	})
}

// Furniture is for staff and managers: members and drivers are refused, a signed-out
// visitor is sent to sign in, and no form works without the page's token.
func TestFurniturePagesRolesAndCSRF(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		chair := e.register(e.furnitureType("Office chair", 12, false, false).ID)
		path := "/furniture/" + itoa(chair.ID)
		for _, role := range []models.Role{models.RoleMember, models.RoleDriver} {
			v := e.visitor()
			v.signIn(e.users[role])
			v.get("/stock").hasNot(t, `href="/furniture"`)
			for _, p := range []string{"/furniture", "/furniture/new", path, path + "/label.pdf", "/furniture/find?tag=" + chair.Tag,
				"/furniture/labels.pdf?id=" + itoa(chair.ID)} {
				v.get(p).want(http.StatusForbidden).has(t, "this page is for managers or staff")
			}
			v.post(path+"/status", url.Values{"status": {"checking"}}).want(http.StatusForbidden)
			v.postFiles("/furniture", url.Values{"type_id": {itoa(chair.TypeID)}, "condition": {"good"}}, nil).want(http.StatusForbidden)
		}
		e.visitor().get(path).redirectsTo(t, "/sign-in?next=%2Ffurniture%2F"+itoa(chair.ID))
		manager := e.visitor()
		manager.signIn(e.users[models.RoleManager])
		manager.get(path).want(http.StatusOK).has(t, chair.Tag)

		v := e.signedIn(models.RoleStaff)
		v.get("/stock").has(t, `href="/furniture"`)
		v.postBare(path+"/status", url.Values{"status": {"checking"}}).want(http.StatusForbidden).has(t, "did not come from this site")
		v.postFiles("/furniture", url.Values{"type_id": {itoa(chair.TypeID)}, "condition": {"good"}, csrfField: {strings.Repeat("A", 26)}}, nil).
			want(http.StatusForbidden)
		v.postBare(path+"/fire-label", url.Values{}).want(http.StatusForbidden)
		got, _ := e.store.Furniture(context.Background(), chair.ID)
		var n int64
		e.store.DB(context.Background()).Model(&models.FurnitureItem{}).Count(&n)
		if got.Status != models.FurnReceived || n != 1 {
			t.Fatalf("a refused form changed something: %+v, %d items", got, n)
		}
	})
}

// A volunteer registers a lamp with a photo, finds it by typing its tag into the look-up
// box as a barcode scanner does (the characters, then Enter), records its passed safety
// test and makes it available; then prints its label.
func TestBrowserFurniture(t *testing.T) {
	chromium(t)
	browserEnv(t, func(t *testing.T, e *testEnv) {
		e.furnitureType("Standard lamp", 4, false, true)
		dir := t.TempDir()
		var photos []string
		for _, name := range []string{"lamp.png", "b.png", "c.png", "d.png", "e.png"} {
			photos = append(photos, filepath.Join(dir, name))
			if err := os.WriteFile(photos[len(photos)-1], testPNG(), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		b := newTab(t, e)
		staff := e.users[models.RoleStaff]
		b.open("/furniture")
		b.waitFor("Email address")
		b.do(chromedp.SendKeys(chromedp.CSS("#f-email"), staff.Email), chromedp.SendKeys(chromedp.CSS("#f-password"), testPassword+kb.Enter))
		b.waitFor("No furniture matches")
		b.check("list-empty")

		b.open("/furniture/new")
		b.waitFor("Type of furniture")
		b.check("register")
		b.do(chromedp.SetValue(chromedp.CSS("#f-type_id"), itoa(e.furnitureTypeID("Standard lamp"))),
			chromedp.Click(chromedp.CSS(`input[name="condition"][value="fair"]`)),
			chromedp.SendKeys(chromedp.CSS("#f-description"), "brass, with shade"),
			chromedp.SetUploadFiles(chromedp.CSS("#f-photos"), photos),
			chromedp.Click(chromedp.CSS(`form[action="/furniture"] button[type="submit"]`)))
		// Five photos are one too many: the page says so before sending anything.
		b.waitFor("Choose at most 4 photos at a time.")
		b.check("register-too-many-photos")
		if _, err := e.store.FurnitureByTag(context.Background(), "FN-000001"); err == nil {
			t.Fatal("the form was sent with too many photos")
		}
		b.do(chromedp.SetUploadFiles(chromedp.CSS("#f-photos"), photos[:1]),
			chromedp.Click(chromedp.CSS(`form[action="/furniture"] button[type="submit"]`)))
		b.waitFor("Registered as FN-000001. 1 photo kept.")
		b.check("registered")

		// The scanner: the tag's characters typed into the box that has the focus, then Enter.
		b.open("/furniture")
		b.waitFor("FN-000001")
		if !b.until(`document.activeElement && document.activeElement.id === "f-tag"`) {
			t.Fatal("the tag box does not have the focus for the scanner")
		}
		b.check("list")
		b.do(chromedp.KeyEvent("FN-000009" + kb.Enter))
		b.waitFor("No item has the tag FN-000009")
		b.check("tag-not-found")
		// The box has the focus with the wrong tag selected: the next scan replaces it.
		b.do(chromedp.KeyEvent("fn-000001" + kb.Enter))
		b.waitFor("FN-000001: Standard lamp")
		b.waitFor("It has passed an electrical safety test: not yet")
		b.check("item")

		b.do(chromedp.SetValue(chromedp.CSS("#f-status"), "checking"), chromedp.Click(chromedp.CSS(`form[action$="/status"] button`)))
		b.waitFor("FN-000001 is now checking.")
		b.do(chromedp.SetValue(chromedp.CSS("#f-status"), "available"), chromedp.Click(chromedp.CSS(`form[action$="/status"] button`)))
		b.waitFor("record a passed safety test before it can be available")
		b.check("refused")
		b.do(chromedp.SendKeys(chromedp.CSS("#f-tester"), "Sam PAT"), chromedp.Click(chromedp.CSS(`input[name="passed"][value="yes"]`)),
			chromedp.Click(chromedp.CSS(`form[action$="/safety-test"] button`)))
		b.waitFor("Safety test recorded: passed.")
		b.waitFor("It has passed an electrical safety test: done")
		b.do(chromedp.SetValue(chromedp.CSS("#f-status"), "available"), chromedp.Click(chromedp.CSS(`form[action$="/status"] button`)))
		b.waitFor("FN-000001 is now available.")
		b.check("available")
		it, err := e.store.FurnitureByTag(context.Background(), "FN-000001")
		if err != nil || it.Status != models.FurnAvailable || len(it.PhotoIDs) != 1 || it.Description != "brass, with shade" {
			t.Fatalf("the lamp after the pages: %+v %v", it, err)
		}
		if !b.until(`document.querySelector('img[alt="Photo 1 of FN-000001"]').naturalWidth === 240`) {
			t.Fatal("the photo's thumbnail does not show")
		}

		// Reserved for a household added on the spot, then handed over.
		b.do(chromedp.SendKeys(chromedp.CSS("#f-name"), "Khan family"), chromedp.Click(chromedp.CSS(`form[action$="/recipients"] button`)))
		b.waitFor("Khan family is added")
		b.do(chromedp.Click(chromedp.CSS(`form[action$="/reserve"] button`)))
		b.waitFor("FN-000001 is reserved.")
		b.check("reserved")
		b.do(chromedp.Click(chromedp.CSS(`input[name="method"][value="collected"]`)), chromedp.Click(chromedp.CSS(`form[action$="/handover"] button`)))
		b.waitFor("Received by is required")
		b.check("handover-problem")
		b.do(chromedp.SendKeys(chromedp.CSS("#f-received_by"), "A. Khan"), chromedp.Click(chromedp.CSS(`form[action$="/handover"] button`)))
		b.waitFor("Handed over.")
		b.check("passed-on")
		if it, _ := e.store.FurnitureByTag(context.Background(), "FN-000001"); it.Status != models.FurnPassedOn {
			t.Fatalf("after the hand-over the lamp is %s", it.Status)
		}
	})
}

// furnitureTypeID is the id of the furniture type named name.
func (e *testEnv) furnitureTypeID(name string) int64 {
	e.t.Helper()
	var t models.FurnitureType
	if err := e.store.DB(context.Background()).Where("name = ?", name).First(&t).Error; err != nil {
		e.t.Fatal(err)
	}
	return t.ID
}

// The list pages by 25, newest first; the next page keeps the filters.
func TestFurnitureListPages(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		chair := e.furnitureType("Office chair", 12, false, false)
		condition := "good"
		for range 26 {
			if _, err := e.store.RegisterFurniture(context.Background(), nil, models.FurnitureInput{TypeID: &chair.ID, Condition: &condition},
				e.srv.today()); err != nil {
				t.Fatal(err)
			}
		}
		v := e.signedIn(models.RoleStaff)
		first := v.get("/furniture?status=received").want(http.StatusOK).has(t, "FN-000026", "FN-000002", "Next page").hasNot(t, "FN-000001<")
		i := strings.Index(first.html, `<p class="pager"><a href="`)
		next := first.html[i+len(`<p class="pager"><a href="`):]
		next = strings.ReplaceAll(next[:strings.Index(next, `"`)], "&amp;", "&")
		if !strings.HasPrefix(next, "/furniture?cursor=") || !strings.Contains(next, "status=received") {
			t.Fatalf("next page link %q", next)
		}
		v.get(next).want(http.StatusOK).has(t, "FN-000001<").hasNot(t, "FN-000002", "Next page")
	})
}
