package models

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"reflect"
	"time"

	"gorm.io/gorm"
)

// AuditEntry records one change: who, when, what was done to which entity, and the
// fields that changed.
type AuditEntry struct {
	ID         int64     `json:"id"`
	ActorID    *int64    `json:"actor_id"`
	Action     string    `json:"action"`
	EntityType string    `json:"entity_type"`
	EntityID   int64     `json:"entity_id"`
	Changes    RawJSON   `json:"changes" gorm:"type:text"`
	At         time.Time `json:"at"`
}

func (AuditEntry) TableName() string { return "audit_log" }

// RawJSON is a JSON document kept as text in the database and sent as it is.
type RawJSON []byte

func (j RawJSON) MarshalJSON() ([]byte, error) {
	if len(j) == 0 {
		return []byte("null"), nil
	}
	return j, nil
}

func (j *RawJSON) UnmarshalJSON(b []byte) error {
	*j = append((*j)[:0], b...)
	return nil
}

func (j RawJSON) Value() (driver.Value, error) { return string(j), nil }

func (j *RawJSON) Scan(v any) error {
	switch x := v.(type) {
	case string:
		*j = RawJSON(x)
	case []byte:
		*j = append(RawJSON(nil), x...)
	default:
		return fmt.Errorf("cannot read JSON from %T", v)
	}
	return nil
}

// audit writes an entry inside the transaction that made the change, so a change and its
// record stand or fall together. actor is nil for the system (jobs, the command line).
func (s *Store) audit(tx *gorm.DB, actor *User, action, entityType string, entityID int64, changes map[string]any) error {
	b, err := json.Marshal(changes)
	if err != nil {
		return err
	}
	e := AuditEntry{Action: action, EntityType: entityType, EntityID: entityID, Changes: b, At: s.Now()}
	if actor != nil {
		e.ActorID = &actor.ID
	}
	return tx.Create(&e).Error
}

// diff keeps the fields whose value changed, as {field: {from, to}}.
func diff(before, after map[string]any) map[string]any {
	out := map[string]any{}
	for k, a := range after {
		if b := before[k]; !reflect.DeepEqual(b, a) {
			out[k] = map[string]any{"from": b, "to": a}
		}
	}
	return out
}

// AuditFilter narrows ListAudit.
type AuditFilter struct {
	EntityType string
	EntityID   int64
	ActorID    int64
}

// ListAudit pages through the audit log, newest first.
func (s *Store) ListAudit(ctx context.Context, f AuditFilter, page Page) ([]AuditEntry, string, error) {
	q := s.DB(ctx).Model(&AuditEntry{})
	if f.EntityType != "" {
		q = q.Where("entity_type = ?", f.EntityType)
	}
	if f.EntityID != 0 {
		q = q.Where("entity_id = ?", f.EntityID)
	}
	if f.ActorID != 0 {
		q = q.Where("actor_id = ?", f.ActorID)
	}
	return Paginate[AuditEntry](q, page, KeyIDDesc, func(e AuditEntry) Key { return Key{ID: e.ID} })
}
