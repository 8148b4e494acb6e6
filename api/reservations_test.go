package api

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scrapstore/scrapstore/jobs"
	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/models/testdb"
	"gorm.io/gorm"
)

// openEveryDay opens visit slots 10:00-12:00 every day, an hour long, with places.
func (e *testEnv) openEveryDay(places int) { e.fx.OpenEveryDay(places) }

// tomorrowSlot is tomorrow's 10:00 slot, in the store's time.
func (e *testEnv) tomorrowSlot() time.Time { return e.fx.Slot(1) }

// newStock receives quantity units of a new item weighing kgPerUnit each.
func (e *testEnv) newStock(desc string, quantity, kgPerUnit float64) int64 {
	return e.fx.Stock(desc, quantity, kgPerUnit)
}

func (e *testEnv) reserve(token string, lines ...map[string]any) *result {
	e.t.Helper()
	return e.reserveAt(token, e.tomorrowSlot(), lines...)
}

func (e *testEnv) reserveAt(token string, slot time.Time, lines ...map[string]any) *result {
	e.t.Helper()
	return e.do(http.MethodPost, "/api/v1/reservations", token, map[string]any{"slot_start": slot.Format(time.RFC3339), "lines": lines})
}

// twoCardTubes opens three places a day and stocks twenty card tubes, of which the
// member reserves two.
func (e *testEnv) twoCardTubes() (card int64, r models.Reservation) {
	e.t.Helper()
	e.openEveryDay(3)
	card = e.newStock("Card tubes", 20, 0.2)
	e.reserve(e.as(models.RoleMember), line(card, 2)).want(http.StatusCreated).decode(&r)
	return card, r
}

// otherGroupsReservation is a second group, Tipton Play Group, with a member's token and
// the reservation that member made of quantity of item.
func (e *testEnv) otherGroupsReservation(item int64, quantity float64) (*models.Organisation, string, models.Reservation) {
	e.t.Helper()
	other := e.newOrganisation("Tipton Play Group")
	_, token := e.newUser(models.RoleMember, other)
	var r models.Reservation
	e.reserve(token, line(item, quantity)).want(http.StatusCreated).decode(&r)
	return other, token, r
}

func line(item int64, q float64) map[string]any {
	return map[string]any{"stock_item_id": item, "quantity": q}
}

// A member reserves, changes and cancels; every change is a movement; it sees only its own.
func TestMemberReservationLifecycle(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		e.openEveryDay(3)
		card := e.newStock("Card tubes", 20, 0.2)
		foam := e.newStock("Foam blocks", 5, 1)
		member := e.as(models.RoleMember)
		var r models.Reservation
		e.reserve(member, line(card, 8), line(foam, 2)).want(http.StatusCreated).decode(&r)
		if r.Status != "pending" || r.OrganisationID != e.org.ID || len(r.Lines) != 2 || r.WeightG.Kg() != 3.6 {
			t.Fatalf("reservation %+v", r)
		}
		if it := e.stockItem(card); it.ReservedMilli.Quantity() != 8 || it.Available.Quantity() != 12 {
			t.Fatalf("card after reserving: %+v", it)
		}
		path := "/api/v1/reservations/" + itoa(r.ID)
		e.do(http.MethodPatch, path, member, map[string]any{"lines": []map[string]any{line(card, 5), line(foam, 0)}}).want(http.StatusOK).decode(&r)
		if len(r.Lines) != 1 || r.Lines[0].QuantityMilli.Quantity() != 5 {
			t.Fatalf("after the change: %+v", r.Lines)
		}
		if it := e.stockItem(card); it.ReservedMilli.Quantity() != 5 {
			t.Fatalf("card reserved %v, want 5", it.ReservedMilli.Quantity())
		}
		if it := e.stockItem(foam); it.ReservedMilli.Quantity() != 0 {
			t.Fatalf("foam reserved %v, want 0", it.ReservedMilli.Quantity())
		}
		e.do(http.MethodPatch, path, member, map[string]any{"lines": []map[string]any{line(card, 25)}}).problem(http.StatusConflict, "")

		// Another group's member sees none of it.
		other := e.newOrganisation("Tipton Play Group")
		_, otherTok := e.newUser(models.RoleMember, other)
		e.do(http.MethodGet, path, otherTok, nil).problem(http.StatusNotFound, "")
		e.do(http.MethodPatch, path, otherTok, map[string]any{"notes": "mine now"}).problem(http.StatusNotFound, "")
		e.do(http.MethodPost, path+"/cancel", otherTok, nil).problem(http.StatusNotFound, "")
		e.do(http.MethodGet, fmt.Sprintf("/api/v1/organisations/%d/summary", e.org.ID), otherTok, nil).problem(http.StatusNotFound, "")
		var theirs List[models.Reservation]
		e.do(http.MethodGet, "/api/v1/reservations", otherTok, nil).want(http.StatusOK).decode(&theirs)
		if len(theirs.Items) != 0 {
			t.Fatalf("the other group sees %+v", theirs.Items)
		}
		// A member cannot reserve for another group: naming one is refused, naming its own is fine.
		e.do(http.MethodPost, "/api/v1/reservations", otherTok, map[string]any{"organisation_id": e.org.ID, "slot_start": e.tomorrowSlot(),
			"lines": []map[string]any{line(card, 1)}}).
			problem(http.StatusUnprocessableEntity, "organisation_id")
		var mine models.Reservation
		e.do(http.MethodPost, "/api/v1/reservations", otherTok, map[string]any{"organisation_id": other.ID, "slot_start": e.tomorrowSlot(),
			"lines": []map[string]any{line(card, 1)}}).
			want(http.StatusCreated).decode(&mine)
		if mine.OrganisationID != other.ID {
			t.Fatalf("member reserved for organisation %d", mine.OrganisationID)
		}

		e.do(http.MethodPost, path+"/cancel", member, nil).want(http.StatusOK).decode(&r)
		if r.Status != "cancelled" || e.stockItem(card).ReservedMilli.Quantity() != 1 {
			t.Fatalf("after cancelling: %+v, card reserved %v", r, e.stockItem(card).ReservedMilli.Quantity())
		}
		p := e.do(http.MethodPost, path+"/confirm", e.as(models.RoleStaff), nil).problem(http.StatusConflict, "")
		if len(p.Allowed) != 0 {
			t.Fatalf("a cancelled reservation allows %v", p.Allowed)
		}
		var moves List[models.Movement]
		e.do(http.MethodGet, "/api/v1/stock/"+itoa(card)+"/movements", e.as(models.RoleStaff), nil).want(http.StatusOK).decode(&moves)
		var kinds []string
		for _, m := range moves.Items {
			kinds = append(kinds, m.Kind)
		}
		if got := strings.Join(kinds, ","); got != "released,reserved,released,reserved,received" {
			t.Fatalf("card movements %s", got)
		}
		e.checkLedger()
	})
}

func TestReservationRules(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		e.openEveryDay(1)
		wood := e.newStock("Offcuts", 100, 2)
		member, staff := e.as(models.RoleMember), e.as(models.RoleStaff)
		// A lapsed group is refused, told when it lapsed.
		lapsed := e.srv.today().AddDays(-10)
		testdb.Write(t, e.store, func(tx *gorm.DB) *gorm.DB {
			return tx.Model(&models.Organisation{}).Where("id = ?", e.org.ID).Update("membership_expires_on", lapsed)
		})
		p := e.reserve(member, line(wood, 1)).problem(http.StatusUnprocessableEntity, "organisation_id")
		if !strings.Contains(p.Errors[0].Message, "lapsed on "+lapsed.String()) {
			t.Fatalf("lapsed message %q", p.Errors[0].Message)
		}
		testdb.Write(t, e.store, func(tx *gorm.DB) *gorm.DB {
			return tx.Model(&models.Organisation{}).Where("id = ?", e.org.ID).Update("membership_expires_on", e.srv.today().AddDays(100))
		})

		// The band's allowance per visit holds for members; staff may override with a reason.
		band, _ := e.store.CreateBand(t.Context(), nil, "Small", 4000, 30)
		testdb.Write(t, e.store, func(tx *gorm.DB) *gorm.DB {
			return tx.Model(&models.Organisation{}).Where("id = ?", e.org.ID).Update("band_id", band.ID)
		})
		e.reserve(member, line(wood, 20)).problem(http.StatusUnprocessableEntity, "lines")
		e.do(http.MethodPost, "/api/v1/reservations", staff, map[string]any{"organisation_id": e.org.ID, "slot_start": e.tomorrowSlot(),
			"lines": []map[string]any{line(wood, 20)}}).
			problem(http.StatusUnprocessableEntity, "lines")
		e.reserve(member, line(wood, 1), line(wood, 2)).problem(http.StatusUnprocessableEntity, "lines[1].stock_item_id")
		e.reserve(member, line(999999, 1)).problem(http.StatusUnprocessableEntity, "lines[0].stock_item_id")
		e.do(http.MethodPost, "/api/v1/reservations", staff, map[string]any{"organisation_id": e.org.ID, "slot_start": e.tomorrowSlot(),
			"lines": []map[string]any{line(wood, 20)}, "override_reason": "end-of-term art project"}).
			want(http.StatusCreated)
		// Not a slot, in the past, bad lines.
		e.do(http.MethodPost, "/api/v1/reservations", member, map[string]any{"slot_start": e.tomorrowSlot().Add(15 * time.Minute),
			"lines": []map[string]any{line(wood, 1)}}).problem(http.StatusUnprocessableEntity, "slot_start")
		e.do(http.MethodPost, "/api/v1/reservations", member, map[string]any{"slot_start": time.Now().Add(-time.Hour),
			"lines": []map[string]any{line(wood, 1)}}).problem(http.StatusUnprocessableEntity, "slot_start")
		e.reserve(member, line(wood, -1)).problem(http.StatusUnprocessableEntity, "lines[0].quantity")
		e.do(http.MethodPost, "/api/v1/reservations", staff, map[string]any{"slot_start": e.tomorrowSlot(), "lines": []map[string]any{line(wood, 1)}}).
			problem(http.StatusUnprocessableEntity, "organisation_id")
		// The slot had one place: it is full now.
		e.reserve(member, line(wood, 1)).problem(http.StatusConflict, "")
		if it := e.stockItem(wood); it.ReservedMilli.Quantity() != 20 {
			t.Fatalf("refused requests changed stock: %+v", it)
		}
		e.checkLedger()
	})
}

// 100 requests at once for the last 10 units reserve exactly 10; the rest get a 409 that
// names the short line and what is available.
func TestNoOversell(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		e.openEveryDay(100)
		item := e.newStock("Last bobbins", 10, 0.05)
		tokens := make([]string, 5)
		for i := range tokens {
			org := e.newOrganisation(fmt.Sprint("Group ", i))
			_, tokens[i] = e.newUser(models.RoleMember, org)
		}
		var mu sync.Mutex
		ok, short := 0, 0
		parallel(100, func(i int) {
			// A group has one booking a slot: each request is for a slot of its own.
			res := e.reserveAt(tokens[i%len(tokens)], e.tomorrowSlot().AddDate(0, 0, i/2).Add(time.Duration(i%2)*time.Hour), line(item, 1))
			mu.Lock()
			defer mu.Unlock()
			switch res.status {
			case http.StatusCreated:
				ok++
			case http.StatusConflict:
				short++
				if !strings.Contains(string(res.body), "lines[0]") || !strings.Contains(string(res.body), "available") {
					t.Errorf("409 does not name the line and what is available: %s", res.body)
				}
			default:
				t.Errorf("status %d: %s", res.status, res.body)
			}
		})
		if ok != 10 || short != 90 {
			t.Fatalf("%d reserved and %d refused, want 10 and 90", ok, short)
		}
		if it := e.stockItem(item); it.ReservedMilli.Quantity() != 10 || it.Available.Quantity() != 0 {
			t.Fatalf("item %+v", it)
		}
		e.checkLedger()
	})
}

// Check-out issues what was taken and releases the rest; a walk-in issues at once.
func TestCollectAndWalkIn(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		e.openEveryDay(5)
		paper := e.newStock("Sugar paper", 50, 0.1)
		lids := e.newStock("Jar lids", 30, 0.02)
		member, staff := e.as(models.RoleMember), e.as(models.RoleStaff)
		var r models.Reservation
		e.reserve(member, line(paper, 20), line(lids, 10)).want(http.StatusCreated).decode(&r)
		path := "/api/v1/reservations/" + itoa(r.ID)
		e.do(http.MethodPost, path+"/confirm", staff, nil).want(http.StatusOK)
		e.do(http.MethodPost, path+"/collect", member, map[string]any{}).problem(http.StatusForbidden, "")
		e.do(http.MethodPost, path+"/collect", staff, map[string]any{"lines": []map[string]any{line(paper, 25)}}).
			problem(http.StatusUnprocessableEntity, "lines[0].quantity")
		e.do(http.MethodPost, path+"/collect", staff, nil).problem(http.StatusUnprocessableEntity, "lines")
		e.do(http.MethodPost, path+"/collect", staff, map[string]any{"lines": []map[string]any{}}).problem(http.StatusUnprocessableEntity, "lines")
		e.do(http.MethodPost, path+"/collect", staff, map[string]any{"lines": []map[string]any{line(paper, 0)}}).
			problem(http.StatusUnprocessableEntity, "lines")
		// Paper listed short, lids listed whole.
		e.do(http.MethodPost, path+"/collect", staff, map[string]any{"lines": []map[string]any{line(paper, 12), line(lids, 10)}}).want(http.StatusOK).
			decode(&r)
		if r.Status != "collected" || r.Lines[0].CollectedMilli.Quantity() != 12 || r.Lines[1].CollectedMilli.Quantity() != 10 {
			t.Fatalf("collected %+v", r.Lines)
		}
		if it := e.stockItem(paper); it.OnHandMilli.Quantity() != 38 || it.ReservedMilli.Quantity() != 0 {
			t.Fatalf("paper after check-out %+v", it)
		}
		if it := e.stockItem(lids); it.OnHandMilli.Quantity() != 20 || it.ReservedMilli.Quantity() != 0 {
			t.Fatalf("lids after check-out %+v", it)
		}
		// A line not listed was not taken: it is released, not issued.
		var r2 models.Reservation
		e.reserve(member, line(paper, 5), line(lids, 4)).want(http.StatusCreated).decode(&r2)
		e.do(http.MethodPost, "/api/v1/reservations/"+itoa(r2.ID)+"/collect", staff, map[string]any{"lines": []map[string]any{line(paper, 5)}}).
			want(http.StatusOK).decode(&r2)
		if r2.Lines[0].CollectedMilli.Quantity() != 5 || r2.Lines[1].CollectedMilli.Quantity() != 0 {
			t.Fatalf("collected %+v", r2.Lines)
		}
		if it := e.stockItem(lids); it.OnHandMilli.Quantity() != 20 || it.ReservedMilli.Quantity() != 0 {
			t.Fatalf("lids after a check-out that did not list them %+v", it)
		}
		if it := e.stockItem(paper); it.OnHandMilli.Quantity() != 33 || it.ReservedMilli.Quantity() != 0 {
			t.Fatalf("paper after the second check-out %+v", it)
		}
		e.do(http.MethodPost, path+"/cancel", staff, nil).problem(http.StatusConflict, "")

		var w models.Reservation
		e.do(http.MethodPost, "/api/v1/issues", staff, map[string]any{"organisation_id": e.org.ID, "lines": []map[string]any{line(paper, 8)}}).
			want(http.StatusCreated).decode(&w)
		if w.Status != "collected" || e.stockItem(paper).OnHandMilli.Quantity() != 25 {
			t.Fatalf("walk-in %+v", w)
		}
		e.do(http.MethodPost, "/api/v1/issues", staff, map[string]any{"organisation_id": e.org.ID, "lines": []map[string]any{line(paper, 26)}}).
			problem(http.StatusConflict, "")

		var sum models.OrganisationSummary
		e.do(http.MethodGet, fmt.Sprintf("/api/v1/organisations/%d/summary", e.org.ID), member, nil).want(http.StatusOK).decode(&sum)
		if sum.Visits != 3 || sum.ThisYear.Kg != 2.7 || sum.ByStatus["collected"] != 3 || len(sum.ThisYear.ByCategory) != 2 {
			t.Fatalf("summary %+v", sum)
		}
		e.checkLedger()
	})
}

// The expiry job releases what was not collected in time, once, however often it runs.
func TestExpiryReleasesStock(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		e.openEveryDay(5)
		item := e.newStock("Buttons", 40, 0.01)
		var r models.Reservation
		e.reserve(e.as(models.RoleMember), line(item, 15)).want(http.StatusCreated).decode(&r)
		ctx := context.Background()
		// Not yet: the slot is tomorrow.
		if n, err := e.store.ExpireReservations(ctx, time.Now(), 24*time.Hour); err != nil || n != 0 {
			t.Fatalf("expired %d, %v", n, err)
		}
		later := r.SlotEnd.Add(25 * time.Hour)
		var wg sync.WaitGroup
		counts := make([]int, 2)
		for i := range counts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := e.store.ExpireReservations(ctx, later, 24*time.Hour)
				if err != nil {
					t.Error(err)
				}
				counts[i] = n
			}()
		}
		wg.Wait()
		if counts[0]+counts[1] != 1 {
			t.Fatalf("expired %v times", counts)
		}
		if it := e.stockItem(item); it.ReservedMilli.Quantity() != 0 || it.OnHandMilli.Quantity() != 40 {
			t.Fatalf("after expiry %+v", it)
		}
		var got models.Reservation
		e.do(http.MethodGet, "/api/v1/reservations/"+itoa(r.ID), e.as(models.RoleStaff), nil).want(http.StatusOK).decode(&got)
		if got.Status != "expired" {
			t.Fatalf("status %s", got.Status)
		}
		e.checkLedger()
	})
}

// Reminders go into the outbox once, and are sent by email once, retried when the
// server fails.
func TestRemindersAndMail(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		e.openEveryDay(5)
		testdb.Write(t, e.store, func(tx *gorm.DB) *gorm.DB {
			return tx.Model(&models.Organisation{}).Where("id = ?", e.org.ID).Update("email", "office@greetsgreen.example")
		})
		item := e.newStock("Corks", 100, 0.005)
		e.reserve(e.as(models.RoleMember), line(item, 10)).want(http.StatusCreated)
		ctx := context.Background()
		queue := jobs.QueueReminders(london)
		for range 2 {
			if _, err := queue(ctx, e.store, time.Now()); err != nil {
				t.Fatal(err)
			}
		}
		var box List[models.OutboxMessage]
		e.do(http.MethodGet, "/api/v1/outbox", e.as(models.RoleStaff), nil).want(http.StatusOK).decode(&box)
		if len(box.Items) != 1 || box.Items[0].ToEmail != "office@greetsgreen.example" || !strings.Contains(box.Items[0].Body, "10:00") {
			t.Fatalf("outbox %+v", box.Items)
		}

		smtp := newTestSMTP(t)
		smtp.failNext = true
		send, err := jobs.SMTPSender("smtp://" + smtp.addr + "?from=store@scrapstore.example")
		if err != nil {
			t.Fatal(err)
		}
		run := jobs.SendOutbox(send)
		if _, err := run(ctx, e.store, time.Now()); err == nil {
			t.Fatal("a failed send did not fail the run")
		}
		for range 2 {
			if _, err := run(ctx, e.store, time.Now()); err != nil {
				t.Fatal(err)
			}
		}
		if got := smtp.delivered(); len(got) != 1 || !strings.Contains(got[0], "Subject: Your scrapstore visit") || !strings.Contains(got[0],
			"RCPT TO:<office@greetsgreen.example>") {
			t.Fatalf("delivered %q", got)
		}
		e.do(http.MethodGet, "/api/v1/outbox?unsent=true", e.as(models.RoleStaff), nil).want(http.StatusOK).decode(&box)
		if len(box.Items) != 0 {
			t.Fatalf("still unsent: %+v", box.Items)
		}
	})
}

// testSMTP is a small SMTP server for tests: it keeps each message's envelope and data.
type testSMTP struct {
	addr     string
	mu       sync.Mutex
	msgs     []string
	failNext bool
}

func newTestSMTP(t *testing.T) *testSMTP {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	s := &testSMTP{addr: ln.Addr().String()}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *testSMTP) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	say := func(line string) { fmt.Fprintf(c, "%s\r\n", line) }
	say("220 test ESMTP")
	var msg strings.Builder
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250 test")
		case strings.HasPrefix(cmd, "MAIL FROM"):
			s.mu.Lock()
			fail := s.failNext
			s.failNext = false
			s.mu.Unlock()
			if fail {
				say("451 try again later")
				continue
			}
			msg.Reset()
			msg.WriteString(strings.TrimSpace(line) + "\n")
			say("250 ok")
		case strings.HasPrefix(cmd, "RCPT TO"):
			msg.WriteString(strings.TrimSpace(line) + "\n")
			say("250 ok")
		case cmd == "DATA":
			say("354 go on")
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				msg.WriteString(l)
			}
			s.mu.Lock()
			s.msgs = append(s.msgs, msg.String())
			s.mu.Unlock()
			say("250 queued")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("250 ok")
		}
	}
}

func (s *testSMTP) delivered() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.msgs...)
}

// A group has one booking a slot: a second reservation for it is a 409 naming the first,
// however many arrive at once, and takes neither a place nor stock.
func TestOneBookingPerSlot(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		e.openEveryDay(3)
		card := e.newStock("Card tubes", 20, 0.2)
		member, staff := e.as(models.RoleMember), e.as(models.RoleStaff)
		var ok, refused atomic.Int32
		var first models.Reservation
		var mu sync.Mutex
		parallel(8, func(i int) {
			res := e.reserve(member, line(card, 2))
			switch res.status {
			case http.StatusCreated:
				ok.Add(1)
				mu.Lock()
				res.decode(&first)
				mu.Unlock()
			case http.StatusConflict:
				refused.Add(1)
			default:
				t.Errorf("status %d: %s", res.status, res.body)
			}
		})
		if ok.Load() != 1 || refused.Load() != 7 {
			t.Fatalf("%d made and %d refused, want 1 and 7", ok.Load(), refused.Load())
		}
		p := e.reserve(member, line(card, 1)).problem(http.StatusConflict, "")
		if !strings.Contains(p.Detail, "reservation "+itoa(first.ID)) {
			t.Fatalf("the 409 should name the group's booking: %s", p.Detail)
		}
		e.do(http.MethodPost, "/api/v1/reservations", staff, map[string]any{"organisation_id": e.org.ID, "slot_start": e.tomorrowSlot(),
			"override_reason": "staff", "lines": []map[string]any{line(card, 1)}}).problem(http.StatusConflict, "")
		if it := e.stockItem(card); it.ReservedMilli.Quantity() != 2 {
			t.Fatalf("refused reservations hold stock: %+v", it)
		}
		var slots List[models.Slot]
		day := e.tomorrowSlot().Format("2006-01-02")
		e.do(http.MethodGet, "/api/v1/slots?from="+day+"&to="+day, member, nil).want(http.StatusOK).decode(&slots)
		if len(slots.Items) == 0 || slots.Items[0].Free != 2 {
			t.Fatalf("slots after refused bookings: %+v", slots.Items)
		}

		// Moving another booking into that slot is refused too; adding to the first is fine.
		var second models.Reservation
		later := e.tomorrowSlot().Add(time.Hour)
		e.reserveAt(member, later, line(card, 1)).want(http.StatusCreated).decode(&second)
		e.do(http.MethodPatch, "/api/v1/reservations/"+itoa(second.ID), member, map[string]any{"slot_start": e.tomorrowSlot()}).
			problem(http.StatusConflict, "")
		e.do(http.MethodPatch, "/api/v1/reservations/"+itoa(first.ID), member, map[string]any{"lines": []map[string]any{line(card, 3)}}).want(http.StatusOK)
		// Once the first is cancelled, the slot can be booked again.
		e.do(http.MethodPost, "/api/v1/reservations/"+itoa(first.ID)+"/cancel", member, nil).want(http.StatusOK)
		e.reserve(member, line(card, 1)).want(http.StatusCreated)
		e.checkLedger()
	})
}

// Staff confirmed what was asked then: a member's later change of slot or quantities
// sends a confirmed reservation back to pending, saying what changed.
func TestMemberChangeNeedsConfirmingAgain(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		card, r := e.twoCardTubes()
		member, staff := e.as(models.RoleMember), e.as(models.RoleStaff)
		path := "/api/v1/reservations/" + itoa(r.ID)
		e.do(http.MethodPost, path+"/confirm", staff, nil).want(http.StatusOK)

		e.do(http.MethodPatch, path, member, map[string]any{"notes": "we will come by bus"}).want(http.StatusOK).decode(&r)
		if r.Status != "confirmed" || r.ChangesToConfirm != "" {
			t.Fatalf("a note alone changed the status: %+v", r)
		}
		e.do(http.MethodPatch, path, member, map[string]any{"lines": []map[string]any{line(card, 3)}}).want(http.StatusOK).decode(&r)
		if r.Status != "pending" || r.ConfirmedAt != nil || r.ChangesToConfirm != "Card tubes (each) 2 → 3" {
			t.Fatalf("after a member's change: %q %+v", r.ChangesToConfirm, r)
		}
		later := e.tomorrowSlot().Add(time.Hour)
		e.do(http.MethodPost, path+"/confirm", staff, nil).want(http.StatusOK)
		e.do(http.MethodPatch, path, member, map[string]any{"slot_start": later}).want(http.StatusOK).decode(&r)
		if r.Status != "pending" || !strings.HasPrefix(r.ChangesToConfirm, "slot moved from ") ||
			!strings.HasSuffix(r.ChangesToConfirm, " 10:00 to "+later.Format("Mon 2 Jan")+" 11:00") {
			t.Fatalf("after moving the slot: %q", r.ChangesToConfirm)
		}
		// Staff see it in the pending list, and confirming clears it.
		var pending List[models.Reservation]
		e.do(http.MethodGet, "/api/v1/reservations?status=pending", staff, nil).want(http.StatusOK).decode(&pending)
		if len(pending.Items) != 1 || pending.Items[0].ChangesToConfirm == "" {
			t.Fatalf("pending %+v", pending.Items)
		}
		var again models.Reservation // a fresh value: changes_to_confirm is left out when empty
		e.do(http.MethodPost, path+"/confirm", staff, nil).want(http.StatusOK).decode(&again)
		if again.Status != "confirmed" || again.ChangesToConfirm != "" {
			t.Fatalf("confirmed again: %+v", again)
		}
		// Staff's own change stays confirmed; so does a member's when reservations are
		// confirmed automatically.
		e.do(http.MethodPatch, path, staff, map[string]any{"lines": []map[string]any{line(card, 4)}}).want(http.StatusOK).decode(&r)
		if r.Status != "confirmed" {
			t.Fatalf("staff change: %+v", r)
		}
		e.srv.Config.AutoConfirm = true
		var auto models.Reservation
		e.do(http.MethodPatch, path, member, map[string]any{"lines": []map[string]any{line(card, 1)}}).want(http.StatusOK).decode(&auto)
		if auto.Status != "confirmed" || auto.ChangesToConfirm != "" {
			t.Fatalf("member change with automatic confirmation: %+v", auto)
		}
		var stored models.Reservation
		e.store.DB(t.Context()).First(&stored, r.ID)
		if stored.Status != "confirmed" {
			t.Fatalf("stored %+v", stored)
		}
	})
}

// Reservations made, moved between slots and cancelled at once, on the same slots and
// item, never deadlock (a 500 on PostgreSQL): every answer is a success or a 409.
func TestReserveMoveAndCancelAtOnce(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		e.openEveryDay(100)
		item, other := e.newStock("Card tubes", 10000, 0.1), e.newStock("Felt", 10000, 0.1)
		tokens := make([]string, 8)
		for i := range tokens {
			_, tokens[i] = e.newUser(models.RoleMember, e.newOrganisation(fmt.Sprint("Group ", i)))
		}
		reserve := func(token string, slot time.Time) *result {
			e.t.Helper()
			return e.do(http.MethodPost, "/api/v1/reservations", token, map[string]any{"slot_start": slot.Format(time.RFC3339),
				"lines": []map[string]any{line(item, 1), line(other, 1)}})
		}
		for round := range 5 {
			day := e.tomorrowSlot().AddDate(0, 0, round)
			slots := []time.Time{day, day.Add(time.Hour)}
			held := make([]models.Reservation, 2*len(tokens))
			// Each group holds both slots (a group has one booking a slot).
			for i := range held {
				reserve(tokens[i%len(tokens)], slots[i/len(tokens)]).want(http.StatusCreated).decode(&held[i])
			}
			parallel(4*len(held), func(i int) {
				r, token := held[i/4], tokens[(i/4)%len(tokens)]
				var res *result
				switch i % 4 {
				case 0:
					res = e.do(http.MethodPost, "/api/v1/reservations/"+itoa(r.ID)+"/cancel", token, nil)
				case 1:
					res = e.do(http.MethodPatch, "/api/v1/reservations/"+itoa(r.ID), token, map[string]any{"slot_start": slots[(i/4+1)%2].Format(time.RFC3339)})
				case 2:
					res = reserve(token, slots[i%2])
				default: // two items, named the other way round
					res = e.do(http.MethodPost, "/api/v1/reservations", token, map[string]any{"slot_start": slots[i%2].Format(time.RFC3339),
						"lines": []map[string]any{line(other, 1), line(item, 1)}})
				}
				if res.status >= 300 && res.status != http.StatusConflict {
					t.Errorf("round %d: status %d: %s", round, res.status, res.body)
				}
			})
		}
		e.checkLedger()
	})
}
