package api

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"

	"github.com/labstack/echo/v4"

	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/reports"
)

// The bodies of actions whose Store methods take their values one by one; the rules
// are in models.

type statusRequest struct {
	Status        string `json:"status"`
	Reason        string `json:"reason"`
	DisposalRoute string `json:"disposal_route"`
}

type safetyTestRequest struct {
	TestedOn     models.Date `json:"tested_on"`
	Tester       string      `json:"tester"`
	Passed       bool        `json:"passed"`
	Notes        string      `json:"notes"`
	AfterFailure string      `json:"after_failure"`
}

type reserveRequest struct {
	RecipientID int64 `json:"recipient_id"`
}

type labelsRequest struct {
	IDs []int64 `json:"ids"`
}

func (s *Server) listFurnitureTypes(c echo.Context) error {
	page := queryOf[paging](c).page()
	list, next, err := s.Store.FurnitureTypes(c.Request().Context(), page)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(list, next))
}

func (s *Server) createFurnitureType(c echo.Context) error {
	var in models.FurnitureTypeInput
	if err := bind(c, &in); err != nil {
		return err
	}
	t, err := s.Store.CreateFurnitureType(c.Request().Context(), currentUser(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, t)
}

func (s *Server) listFurniture(c echo.Context) error {
	q := queryOf[furnitureQuery](c)
	f := models.FurnitureFilter{TypeID: q.TypeID, Status: q.Status, Condition: q.Condition, Q: q.Q}
	page := q.page()
	// Members see what they could have: available furniture.
	if currentUser(c).Role == models.RoleMember {
		f.Status = models.FurnAvailable
	}
	list, next, err := s.Store.ListFurniture(c.Request().Context(), f, page)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(list, next))
}

func (s *Server) registerFurniture(c echo.Context) error {
	var in models.FurnitureInput
	if err := bind(c, &in); err != nil {
		return err
	}
	it, err := s.Store.RegisterFurniture(c.Request().Context(), currentUser(c), in, s.today())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, it)
}

// furnitureItem loads the item of the path; a member sees only available ones.
func (s *Server) furnitureItem(c echo.Context) (*models.FurnitureItem, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return nil, err
	}
	it, err := s.Store.Furniture(c.Request().Context(), id)
	if err == nil && currentUser(c).Role == models.RoleMember && it.Status != models.FurnAvailable {
		return nil, models.ErrNotFound
	}
	return it, err
}

func (s *Server) getFurniture(c echo.Context) error {
	it, err := s.furnitureItem(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, it)
}

func (s *Server) furnitureByTag(c echo.Context) error {
	it, err := s.Store.FurnitureByTag(c.Request().Context(), c.Param("tag"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, it)
}

func (s *Server) updateFurniture(c echo.Context) error {
	return answerAction(c, http.StatusOK, false, func(ctx context.Context, id int64, in models.FurnitureInput) (any, error) {
		return s.Store.UpdateFurniture(ctx, currentUser(c), id, in, s.today())
	})
}

func (s *Server) furnitureStatus(c echo.Context) error {
	return answerAction(c, http.StatusOK, false, func(ctx context.Context, id int64, req statusRequest) (any, error) {
		return s.Store.ChangeFurnitureStatus(ctx, currentUser(c), id, req.Status, req.Reason, req.DisposalRoute)
	})
}

func (s *Server) furnitureHistory(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if _, err := s.Store.Furniture(c.Request().Context(), id); err != nil {
		return err
	}
	h, err := s.Store.StatusHistory(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(h, ""))
}

func (s *Server) safetyTest(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req safetyTestRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	it, err := s.Store.RecordSafetyTest(c.Request().Context(), currentUser(c), id,
		req.TestedOn, req.Tester, req.Passed, req.Notes, req.AfterFailure, s.today())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, it)
}

func (s *Server) reserveFurniture(c echo.Context) error {
	return answerAction(c, http.StatusOK, false, func(ctx context.Context, id int64, req reserveRequest) (any, error) {
		return s.Store.ReserveFurniture(ctx, currentUser(c), id, req.RecipientID)
	})
}

func (s *Server) handOver(c echo.Context) error {
	return answerAction(c, http.StatusCreated, false, func(ctx context.Context, id int64, in models.HandoverInput) (any, error) {
		return s.Store.HandOver(ctx, currentUser(c), id, in, s.today())
	})
}

func (s *Server) listDeliveries(c echo.Context) error {
	page := queryOf[paging](c).page()
	list, next, err := s.Store.DeliveriesWaiting(c.Request().Context(), page)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(list, next))
}

func (s *Server) addPhoto(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	fh, err := c.FormFile("photo")
	if err != nil {
		return &requestError{Status: http.StatusBadRequest, Field: "photo", Detail: "send the picture as multipart/form-data in a field named photo"}
	}
	p, err := s.addPhotoFile(c, id, fh)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, p)
}

// addPhotoFile reads an uploaded picture, at most one byte more than the Store takes
// so that it can say the file is too big, and gives it to the Store to check and keep.
func (s *Server) addPhotoFile(c echo.Context, itemID int64, fh *multipart.FileHeader) (*models.Photo, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, models.MaxPhotoBytes+1))
	if err != nil {
		return nil, err
	}
	return s.Store.AddPhoto(c.Request().Context(), currentUser(c), itemID, data, s.Config.DataDir)
}

func (s *Server) getPhoto(c echo.Context) error {
	it, err := s.furnitureItem(c)
	if err != nil {
		return err
	}
	pid, err := pathID(c, "photo_id")
	if err != nil {
		return err
	}
	p, err := s.Store.GetPhoto(c.Request().Context(), it.ID, pid)
	if err != nil {
		return err
	}
	thumb := queryOf[photoQuery](c).Thumb
	data, err := os.ReadFile(models.PhotoPath(s.Config.DataDir, p, thumb))
	if err != nil {
		return err
	}
	ct, name := p.ContentType, filepath.Base(models.PhotoPath("", p, thumb))
	if thumb {
		ct = "image/jpeg"
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, mime.FormatMediaType("inline", map[string]string{"filename": name}))
	return c.Blob(http.StatusOK, ct, data)
}

func (s *Server) furnitureLabel(c echo.Context) error {
	it, err := s.furnitureItem(c)
	if err != nil {
		return err
	}
	labels, err := s.labelsFor(c, []int64{it.ID})
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := reports.SingleLabel(&buf, labels[0]); err != nil {
		return err
	}
	return c.Blob(http.StatusOK, "application/pdf", buf.Bytes())
}

func (s *Server) furnitureLabels(c echo.Context) error {
	var req labelsRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	return s.labelSheet(c, req.IDs)
}

func (s *Server) labelsFor(c echo.Context, ids []int64) ([]reports.Label, error) {
	items, err := s.Store.FurnitureLabels(c.Request().Context(), ids)
	if err != nil {
		return nil, err
	}
	out := make([]reports.Label, len(items))
	for i, it := range items {
		out[i] = reports.Label{Tag: it.Tag, Type: it.Type, Date: it.ReceivedOn.String()}
	}
	return out, nil
}

func (s *Server) listRecipients(c echo.Context) error {
	q := queryOf[recipientsQuery](c)
	list, next, err := s.Store.ListRecipients(c.Request().Context(), q.Kind, q.Q, q.page())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, listOf(list, next))
}

func (s *Server) createRecipient(c echo.Context) error {
	var in models.RecipientInput
	if err := bind(c, &in); err != nil {
		return err
	}
	r, err := s.Store.CreateRecipient(c.Request().Context(), currentUser(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, r)
}

func (s *Server) getRecipient(c echo.Context) error {
	return answerByID(c, func(ctx context.Context, id int64) (any, error) { return s.Store.GetRecipient(ctx, id) })
}

func (s *Server) updateRecipient(c echo.Context) error {
	return answerAction(c, http.StatusOK, false, func(ctx context.Context, id int64, in models.RecipientInput) (any, error) {
		return s.Store.UpdateRecipient(ctx, currentUser(c), id, in)
	})
}

func (s *Server) eraseRecipient(c echo.Context) error {
	return answerByID(c, func(ctx context.Context, id int64) (any, error) {
		return s.Store.EraseRecipient(ctx, currentUser(c), id)
	})
}
