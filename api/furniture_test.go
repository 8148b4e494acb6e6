package api

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/scrapstore/scrapstore/models"
)

func (e *testEnv) furnitureType(name string, kg float64, upholstered, electrical bool) *models.FurnitureType {
	return e.fx.FurnitureType(name, kg, upholstered, electrical)
}

func (e *testEnv) register(typeID int64) models.FurnitureItem {
	e.t.Helper()
	var it models.FurnitureItem
	e.do(http.MethodPost, "/api/v1/furniture", e.as(models.RoleStaff), map[string]any{"type_id": typeID, "condition": "good", "colour": "green"}).
		want(http.StatusCreated).decode(&it)
	return it
}

func (e *testEnv) moveTo(id int64, status string) *result {
	return e.do(http.MethodPost, "/api/v1/furniture/"+itoa(id)+"/status", e.as(models.RoleStaff), map[string]any{"status": status})
}

// A sofa cannot be available until its fire label is checked; an electrical item until it
// passes a safety test; a failed test sends it to repair or disposal.
func TestFurnitureSafety(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		staff := e.as(models.RoleStaff)
		sofa := e.register(e.furnitureType("Three-seat sofa", 42, true, false).ID)
		if sofa.Tag != "FN-000001" || sofa.WeightG.Kg() != 42 || sofa.Status != "received" {
			t.Fatalf("registered %+v", sofa)
		}
		e.moveTo(sofa.ID, "checking").want(http.StatusOK)
		p := e.moveTo(sofa.ID, "available").problem(http.StatusConflict, "")
		if !strings.Contains(p.Detail, "fire-safety label") {
			t.Fatalf("409 says %q", p.Detail)
		}
		e.do(http.MethodPatch, "/api/v1/furniture/"+itoa(sofa.ID), staff, map[string]any{"fire_label_checked": true, "weight_kg": 39.5}).want(http.StatusOK)
		var got models.FurnitureItem
		e.moveTo(sofa.ID, "available").want(http.StatusOK).decode(&got)
		if got.Status != "available" || got.WeightG.Kg() != 39.5 {
			t.Fatalf("sofa %+v", got)
		}

		fridge := e.register(e.furnitureType("Fridge", 45, false, true).ID)
		e.moveTo(fridge.ID, "checking").want(http.StatusOK)
		e.moveTo(fridge.ID, "available").problem(http.StatusConflict, "")
		e.do(http.MethodPost, "/api/v1/furniture/"+itoa(fridge.ID)+"/safety-tests", staff, map[string]any{"tested_on": e.srv.today().String(),
			"tester": "PAT Services", "passed": false}).want(http.StatusCreated).decode(&got)
		if got.Status != "in_repair" {
			t.Fatalf("after a failed test: %s", got.Status)
		}
		e.moveTo(fridge.ID, "available").problem(http.StatusConflict, "")
		e.do(http.MethodPost, "/api/v1/furniture/"+itoa(fridge.ID)+"/safety-tests", staff, map[string]any{"tested_on": e.srv.today().String(),
			"tester": "PAT Services", "passed": true}).want(http.StatusCreated)
		e.moveTo(fridge.ID, "available").want(http.StatusOK)

		lamp := e.register(e.furnitureType("Lamp", 3, false, true).ID)
		e.do(http.MethodPost, "/api/v1/furniture/"+itoa(lamp.ID)+"/safety-tests", staff, map[string]any{"tested_on": e.srv.today().String(),
			"tester": "PAT", "passed": false, "after_failure": "disposed"}).want(http.StatusCreated).decode(&got)
		if got.Status != "disposed" || got.DisposalRoute != "recycled" {
			t.Fatalf("lamp %+v", got)
		}
		p = e.moveTo(lamp.ID, "available").problem(http.StatusConflict, "")
		if len(p.Allowed) != 0 {
			t.Fatalf("a disposed item allows %v", p.Allowed)
		}
		p = e.do(http.MethodPost, "/api/v1/furniture/"+itoa(sofa.ID)+"/status", staff, map[string]any{"status": "in_repair"}).
			problem(http.StatusConflict, "")
		if strings.Join(p.Allowed, ",") != "reserved,checking,disposed" {
			t.Fatalf("allowed %v", p.Allowed)
		}
		e.do(http.MethodPost, "/api/v1/furniture/"+itoa(sofa.ID)+"/status", staff, map[string]any{"status": "disposed"}).
			problem(http.StatusUnprocessableEntity, "disposal_route")
		var hist List[models.StatusChange]
		e.do(http.MethodGet, "/api/v1/furniture/"+itoa(sofa.ID)+"/history", staff, nil).want(http.StatusOK).decode(&hist)
		if len(hist.Items) != 3 || hist.Items[2].ToStatus != "available" || *hist.Items[2].UserID != e.users[models.RoleStaff].ID {
			t.Fatalf("history %+v", hist.Items)
		}
	})
}

// Two hundred items registered at once get two hundred different tags, in order.
func TestFurnitureTagsUnique(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		chair := e.furnitureType("Dining chair", 7, false, false)
		var mu sync.Mutex
		tags := map[string]bool{}
		parallel(200, func(i int) {
			res := e.do(http.MethodPost, "/api/v1/furniture", e.as(models.RoleStaff), map[string]any{"type_id": chair.ID, "condition": "fair"})
			var it models.FurnitureItem
			if res.status != http.StatusCreated {
				t.Errorf("status %d: %s", res.status, res.body)
				return
			}
			_ = jsonDecode(res.body, &it)
			mu.Lock()
			tags[it.Tag] = true
			mu.Unlock()
		})
		if len(tags) != 200 || !tags["FN-000001"] || !tags["FN-000200"] {
			t.Fatalf("%d different tags", len(tags))
		}
		var it models.FurnitureItem
		e.do(http.MethodGet, "/api/v1/furniture/by-tag/fn-000123", e.as(models.RoleStaff), nil).want(http.StatusOK).decode(&it)
		if it.Tag != "FN-000123" {
			t.Fatalf("by tag %+v", it)
		}
	})
}

// Households are seen by staff only; hand-overs pass items on; an erased household keeps
// its figures but not its name.
func TestRecipientsAndHandover(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		staff, member := e.as(models.RoleStaff), e.as(models.RoleMember)
		wardrobe := e.register(e.furnitureType("Double wardrobe", 55, false, false).ID)
		e.moveTo(wardrobe.ID, "checking").want(http.StatusOK)
		e.moveTo(wardrobe.ID, "available").want(http.StatusOK)
		var hh models.Recipient
		e.do(http.MethodPost, "/api/v1/recipients", staff, map[string]any{"kind": "household", "name": "Mrs Aisha Khan",
			"agency": "Sandwell Council housing", "reference": "SH-2026-114", "address": "4 Lodge Road, West Bromwich",
			"postcode": "b70 8ne", "needs": "bedroom furniture"}).want(http.StatusCreated).decode(&hh)
		e.do(http.MethodPost, "/api/v1/recipients", staff, map[string]any{"kind": "household"}).problem(http.StatusUnprocessableEntity, "name")
		e.do(http.MethodPost, "/api/v1/recipients", staff, map[string]any{"kind": "organisation"}).
			problem(http.StatusUnprocessableEntity, "organisation_id")
		e.do(http.MethodGet, "/api/v1/recipients", member, nil).problem(http.StatusForbidden, "")
		e.do(http.MethodGet, "/api/v1/recipients/"+itoa(hh.ID), member, nil).problem(http.StatusForbidden, "")

		e.do(http.MethodPost, "/api/v1/furniture/"+itoa(wardrobe.ID)+"/handover", staff, map[string]any{"method": "collected",
			"on": e.srv.today().String(), "received_by": "A Khan"}).problem(http.StatusConflict, "")
		e.do(http.MethodPost, "/api/v1/furniture/"+itoa(wardrobe.ID)+"/reserve", staff, map[string]any{"recipient_id": hh.ID}).want(http.StatusOK)
		// Members see available furniture only, and nothing of who it is for.
		var list List[models.FurnitureItem]
		e.do(http.MethodGet, "/api/v1/furniture", member, nil).want(http.StatusOK).decode(&list)
		if len(list.Items) != 0 {
			t.Fatalf("member sees %+v", list.Items)
		}
		e.do(http.MethodGet, "/api/v1/furniture/"+itoa(wardrobe.ID), member, nil).problem(http.StatusNotFound, "")
		var h models.Handover
		e.do(http.MethodPost, "/api/v1/furniture/"+itoa(wardrobe.ID)+"/handover", staff, map[string]any{"method": "delivered",
			"on": e.srv.today().AddDays(2).String(), "charge_pence": 0}).
			want(http.StatusCreated).decode(&h)
		if h.DeliveryStatus != "waiting" || h.DeliveryPostcode != "B70 8NE" || h.WeightG.Kg() != 55 || h.VolumeM3 != 1.2 {
			t.Fatalf("handover %+v", h)
		}
		var dl List[models.Handover]
		e.do(http.MethodGet, "/api/v1/furniture/deliveries", e.as(models.RoleDriver), nil).want(http.StatusOK).decode(&dl)
		if len(dl.Items) != 1 {
			t.Fatalf("deliveries %+v", dl.Items)
		}
		// No personal detail went into the audit log.
		var audit []models.AuditEntry
		e.store.DB(t.Context()).Find(&audit)
		for _, a := range audit {
			if strings.Contains(string(a.Changes), "Khan") || strings.Contains(string(a.Changes), "Lodge Road") {
				t.Fatalf("personal data in the audit log: %s", a.Changes)
			}
		}
		var erased models.Recipient
		e.do(http.MethodPost, "/api/v1/recipients/"+itoa(hh.ID)+"/erase", staff, nil).problem(http.StatusForbidden, "")
		e.do(http.MethodPost, "/api/v1/recipients/"+itoa(hh.ID)+"/erase", e.as(models.RoleManager), nil).want(http.StatusOK).decode(&erased)
		if erased.Name != "(erased)" || erased.Address != "" || erased.Reference != "" || erased.Kind != "household" || erased.Agency == "" {
			t.Fatalf("erased %+v", erased)
		}
		var kept models.Handover
		e.store.DB(t.Context()).First(&kept, h.ID)
		if kept.RecipientKind != "household" || kept.WeightG != 55000 || kept.DeliveryAddress != "" || kept.ReceivedBy != "" {
			t.Fatalf("hand-over after erasure %+v", kept)
		}
		var item models.FurnitureItem
		e.do(http.MethodGet, "/api/v1/furniture/"+itoa(wardrobe.ID), staff, nil).want(http.StatusOK).decode(&item)
		if item.Status != "passed_on" {
			t.Fatalf("item %+v", item)
		}
	})
}

func TestFurniturePhotosAndLabels(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		staff := e.as(models.RoleStaff)
		chair := e.register(e.furnitureType("Office chair", 12, false, false).ID)
		img := image.NewRGBA(image.Rect(0, 0, 640, 480))
		for x := 0; x < 640; x++ {
			img.Set(x, x%480, color.RGBA{200, 30, 30, 255})
		}
		var pngData bytes.Buffer
		png.Encode(&pngData, img)
		upload := func(name string, data []byte) *result { return e.uploadPhoto(staff, chair.ID, name, data) }
		var p models.Photo
		upload("chair.png", pngData.Bytes()).want(http.StatusCreated).decode(&p)
		if p.ContentType != "image/png" || p.Width != 640 {
			t.Fatalf("photo %+v", p)
		}
		upload("chair.jpg", []byte("this is not a picture at all")).problem(http.StatusUnprocessableEntity, "photo")
		res := e.do(http.MethodGet, "/api/v1/furniture/"+itoa(chair.ID)+"/photos/"+itoa(p.ID)+"?thumb=true", staff, nil).want(http.StatusOK)
		th, _, err := image.Decode(bytes.NewReader(res.body))
		if err != nil || th.Bounds().Dx() != 240 || th.Bounds().Dy() != 180 {
			t.Fatalf("thumbnail: %v %v", err, th)
		}

		res = e.do(http.MethodGet, "/api/v1/furniture/"+itoa(chair.ID)+"/label.pdf", staff, nil).want(http.StatusOK)
		if !bytes.HasPrefix(res.body, []byte("%PDF")) || !bytes.Contains(res.body, []byte("(FN-000001)")) {
			t.Fatalf("label is not a PDF with the tag")
		}
		second := e.register(chair.TypeID)
		res = e.do(http.MethodPost, "/api/v1/furniture/labels.pdf", staff, map[string]any{"ids": []int64{chair.ID, second.ID}}).want(http.StatusOK)
		if !bytes.Contains(res.body, []byte("(FN-000002)")) || res.header.Get("Content-Type") != "application/pdf" {
			t.Fatal("sheet lacks the second tag")
		}
		e.do(http.MethodPost, "/api/v1/furniture/labels.pdf", staff, map[string]any{"ids": []int64{chair.ID, 999999}}).
			problem(http.StatusUnprocessableEntity, "ids[1]")
	})
}

// uploadPhoto posts data as a furniture item's photo, as multipart/form-data.
func (e *testEnv) uploadPhoto(token string, itemID int64, name string, data []byte) *result {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("photo", name)
	fw.Write(data)
	mw.Close()
	req := httptest.NewRequest(http.MethodPost, "/api/v1/furniture/"+itoa(itemID)+"/photos", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, req)
	return &result{t: e.t, status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
}

// pngClaiming is a tiny PNG file whose header claims a picture of w x h pixels at 16 bits
// a channel, with a few bytes of image data: what a decompression bomb looks like.
func pngClaiming(w, h uint32) []byte {
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(kind string, data []byte) {
		binary.Write(&out, binary.BigEndian, uint32(len(data)))
		crc := crc32.NewIEEE()
		crc.Write([]byte(kind))
		crc.Write(data)
		out.WriteString(kind)
		out.Write(data)
		binary.Write(&out, binary.BigEndian, crc.Sum32())
	}
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	chunk("IHDR", append(ihdr, 16, 6, 0, 0, 0)) // 16-bit RGBA
	var idat bytes.Buffer
	zw := zlib.NewWriter(&idat)
	zw.Write(make([]byte, 64))
	zw.Close()
	chunk("IDAT", idat.Bytes())
	chunk("IEND", nil)
	return out.Bytes()
}

func TestFurniturePhotoHostileUploads(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		staff := e.as(models.RoleStaff)
		chair := e.register(e.furnitureType("Office chair", 12, false, false).ID)

		// A file of a few dozen bytes claiming billions of pixels is refused from its
		// header, before anything is decoded; so is one just over the budget.
		bomb := pngClaiming(65535, 65535)
		if len(bomb) > 120 {
			t.Fatalf("bomb is %d bytes", len(bomb))
		}
		p := e.uploadPhoto(staff, chair.ID, "bomb.png", bomb).problem(http.StatusUnprocessableEntity, "photo")
		if !strings.Contains(p.Errors[0].Message, "40 megapixels") {
			t.Fatalf("the refusal should say the limit: %+v", p)
		}
		e.uploadPhoto(staff, chair.ID, "wide.png", pngClaiming(8000, 5001)).problem(http.StatusUnprocessableEntity, "photo")
		e.uploadPhoto(staff, chair.ID, "empty.png", pngClaiming(0, 10)).problem(http.StatusUnprocessableEntity, "photo")
		// A header within the budget whose data is cut short is unreadable, not a crash.
		e.uploadPhoto(staff, chair.ID, "short.png", pngClaiming(3000, 2000)).problem(http.StatusUnprocessableEntity, "photo")
		var n int64
		e.store.DB(context.Background()).Model(&models.Photo{}).Count(&n)
		if n != 0 {
			t.Fatalf("%d photos kept from refused uploads", n)
		}

		// A picture with HTML after it is kept as the picture alone, and served so that
		// no browser takes it for anything else.
		img := image.NewRGBA(image.Rect(0, 0, 32, 32))
		var pic bytes.Buffer
		png.Encode(&pic, img)
		polyglot := append(pic.Bytes(), []byte("<html><script>alert(document.cookie)</script></html>")...)
		var ph models.Photo
		e.uploadPhoto(staff, chair.ID, "chair.png", polyglot).want(http.StatusCreated).decode(&ph)
		res := e.do(http.MethodGet, "/api/v1/furniture/"+itoa(chair.ID)+"/photos/"+itoa(ph.ID), staff, nil).want(http.StatusOK)
		if bytes.Contains(res.body, []byte("<script")) || res.header.Get("Content-Type") != "image/png" {
			t.Fatalf("served photo keeps what followed the picture (%s)", res.header.Get("Content-Type"))
		}
		if res.header.Get("X-Content-Type-Options") != "nosniff" || !strings.HasPrefix(res.header.Get("Content-Disposition"), "inline") {
			t.Fatalf("photo headers %v", res.header)
		}
		if _, err := png.Decode(bytes.NewReader(res.body)); err != nil {
			t.Fatalf("served photo is not a PNG: %v", err)
		}

		// Many uploads at once all succeed: decoding queues within its budget.
		parallel(8, func(i int) {
			e.uploadPhoto(staff, chair.ID, "chair.png", pic.Bytes()).want(http.StatusCreated)
		})
	})
}
