package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// loadClient is one simulated person at a member group, with a staff colleague at the
// store for what only staff do. Each step is one action of the mix.
type loadClient struct {
	lt            *loadtest
	rng           *rand.Rand
	member, staff *loadUser
	held          []heldReservation // the group's live reservations, oldest first
	slots         []time.Time       // slots with free places, from the last look
}

type heldReservation struct {
	ID     int64  `json:"id"`
	Status string `json:"status"`
	Lines  []struct {
		StockItemID int64 `json:"stock_item_id"`
	} `json:"lines"`
}

// The kinds of action, for the mix the report shows.
const (
	kindRead        = "reads"
	kindReservation = "reservations"
	kindDonation    = "donations"
	kindOther       = "other writes"
)

// loadAction is one thing a client may do, with its share of the mix (in hundredths).
type loadAction struct {
	weight int
	kind   string
	do     func(c *loadClient, ctx context.Context)
}

// loadMix is 70% reads, 15% reservations, 10% donations and 5% other writes.
var loadMix = []loadAction{
	{31, kindRead, (*loadClient).searchStock},
	{6, kindRead, (*loadClient).readItem},
	{8, kindRead, (*loadClient).readCatalogue},
	{10, kindRead, (*loadClient).readSlots},
	{8, kindRead, (*loadClient).readReservations},
	{4, kindRead, (*loadClient).readReservation},
	{3, kindRead, (*loadClient).readDonations},
	{7, kindReservation, (*loadClient).reserve},
	{5, kindReservation, (*loadClient).changeReservation},
	{3, kindReservation, (*loadClient).cancelReservation},
	{10, kindDonation, (*loadClient).donate},
	{2, kindOther, (*loadClient).confirmReservation},
	{2, kindOther, (*loadClient).adjustStock},
	{1, kindOther, (*loadClient).updateContact},
}

// newClientRand gives client i its own random choices, the same for the same seed.
func newClientRand(seed uint64, i int) *rand.Rand { return rand.New(rand.NewPCG(seed, uint64(i))) }

func (c *loadClient) step(ctx context.Context) {
	n := c.rng.IntN(100)
	for _, a := range loadMix {
		if n < a.weight {
			a.do(c, ctx)
			return
		}
		n -= a.weight
	}
}

// get is a read recorded under route (the path pattern) of kind reads.
func (c *loadClient) get(ctx context.Context, route, path, token string, out any) error {
	return c.lt.call(ctx, kindRead+"\t"+route, http.MethodGet, path, token, nil, out)
}

func (c *loadClient) write(ctx context.Context, kind, route, method, path, token string, body, out any) error {
	return c.lt.call(ctx, kind+"\t"+method+" "+route, method, path, token, body, out)
}

func pick[T any](rng *rand.Rand, list []T) T { return list[rng.IntN(len(list))] }

func id(n int64) string { return strconv.FormatInt(n, 10) }

// searchStock is what members do most: browse stock by category, by shelf, by a word,
// what is available, in some order.
func (c *loadClient) searchStock(ctx context.Context) {
	q := url.Values{}
	switch c.rng.IntN(5) {
	case 0:
		q.Set("category_id", id(pick(c.rng, c.lt.categories).ID))
	case 1:
		q.Set("q", pick(c.rng, c.lt.words))
	case 2:
		q.Set("available_only", "true")
	case 3:
		q.Set("location_id", id(pick(c.rng, c.lt.locations)))
	}
	if c.rng.IntN(3) == 0 {
		q.Set("sort", pick(c.rng, []string{"-updated_at", "description", "-description", "id"}))
	}
	c.get(ctx, "GET /api/v1/stock", "/api/v1/stock?"+q.Encode(), c.member.tok, nil)
}

func (c *loadClient) readItem(ctx context.Context) {
	c.get(ctx, "GET /api/v1/stock/:id", "/api/v1/stock/"+id(pick(c.rng, c.lt.items).ID), c.member.tok, nil)
}

func (c *loadClient) readCatalogue(ctx context.Context) {
	c.get(ctx, "GET /api/v1/categories", "/api/v1/categories", c.member.tok, nil)
}

// readSlots looks at the next fortnight's slots and remembers those with free places.
func (c *loadClient) readSlots(ctx context.Context) {
	var page struct {
		Items []struct {
			Start time.Time `json:"start"`
			Free  int       `json:"free"`
		} `json:"items"`
	}
	if c.get(ctx, "GET /api/v1/slots", "/api/v1/slots", c.member.tok, &page) != nil {
		return
	}
	c.slots = c.slots[:0]
	soon := time.Now().Add(10 * time.Minute)
	for _, s := range page.Items {
		if s.Free > 0 && s.Start.After(soon) {
			c.slots = append(c.slots, s.Start)
		}
	}
}

func (c *loadClient) readReservations(ctx context.Context) {
	c.get(ctx, "GET /api/v1/reservations", "/api/v1/reservations", c.member.tok, nil)
}

func (c *loadClient) readReservation(ctx context.Context) {
	if len(c.held) == 0 {
		c.readReservations(ctx)
		return
	}
	c.get(ctx, "GET /api/v1/reservations/:id", "/api/v1/reservations/"+id(pick(c.rng, c.held).ID), c.member.tok, nil)
}

func (c *loadClient) readDonations(ctx context.Context) {
	c.get(ctx, "GET /api/v1/donations", "/api/v1/donations", c.staff.tok, nil)
}

// reserve asks for one or two of a popular item for a slot with free places. Many
// groups want the same few items, so some are refused with a 409: that is the rule
// working, not an error. A group holds at most two reservations at a time.
func (c *loadClient) reserve(ctx context.Context) {
	if len(c.held) >= 2 {
		c.cancelReservation(ctx)
		return
	}
	if len(c.slots) == 0 {
		c.readSlots(ctx)
		if len(c.slots) == 0 {
			return
		}
	}
	body := map[string]any{
		"slot_start": pick(c.rng, c.slots),
		"lines":      []map[string]any{{"stock_item_id": pick(c.rng, c.lt.popular).ID, "quantity": 1 + c.rng.IntN(2)}},
	}
	var r heldReservation
	err := c.write(ctx, kindReservation, "/api/v1/reservations", http.MethodPost, "/api/v1/reservations", c.member.tok, body, &r)
	if err == nil {
		c.held = append(c.held, r)
	} else if isConflict(err) {
		c.slots = c.slots[:0] // look again: the slot may be full
	}
}

// changeReservation asks for another quantity of what the group reserved, or moves it
// to another slot.
func (c *loadClient) changeReservation(ctx context.Context) {
	if len(c.held) == 0 {
		c.reserve(ctx)
		return
	}
	i := c.rng.IntN(len(c.held))
	r := c.held[i]
	body := map[string]any{"lines": []map[string]any{{"stock_item_id": r.Lines[0].StockItemID, "quantity": 1 + c.rng.IntN(3)}}}
	if len(c.slots) > 0 && c.rng.IntN(3) == 0 {
		body = map[string]any{"slot_start": pick(c.rng, c.slots)}
	}
	if c.write(ctx, kindReservation, "/api/v1/reservations/:id", http.MethodPatch, "/api/v1/reservations/"+id(r.ID), c.member.tok, body, &r) == nil {
		c.held[i] = r
	}
}

// cancelReservation cancels the group's oldest reservation.
func (c *loadClient) cancelReservation(ctx context.Context) {
	if len(c.held) == 0 {
		c.reserve(ctx)
		return
	}
	r := c.held[0]
	c.held = c.held[1:]
	c.write(ctx, kindReservation, "/api/v1/reservations/:id/cancel", http.MethodPost, "/api/v1/reservations/"+id(r.ID)+"/cancel", c.member.tok, nil, nil)
}

// donationThings are what donations bring; the same description on the same shelf
// adds to the same stock item, as in the store.
var donationThings = []string{
	"Card offcuts", "Fabric remnants", "Foam blocks", "Cardboard tubes", "Plastic lids",
	"Wood offcuts", "Yoghurt pots", "Ribbon reels", "Paper rolls", "Bottle tops",
}

// donate logs a donation of one to three lines, now and then one more of a popular item.
func (c *loadClient) donate(ctx context.Context) {
	var lines []map[string]any
	for range 1 + c.rng.IntN(3) {
		if c.rng.IntN(10) == 0 {
			lines = append(lines, map[string]any{"stock_item_id": pick(c.rng, c.lt.popular).ID, "quantity": 1})
			continue
		}
		cat := pick(c.rng, c.lt.categories)
		lines = append(lines, map[string]any{"category_id": cat.ID, "description": pick(c.rng, donationThings), "location_id": pick(c.rng, c.lt.locations),
			"quantity": 1 + c.rng.IntN(10), "unit": cat.DefaultUnit})
	}
	body := map[string]any{"channel": "drop_off", "lines": lines}
	if len(c.lt.donors) > 0 && c.rng.IntN(10) < 7 {
		body["donor_id"] = pick(c.rng, c.lt.donors)
	}
	c.write(ctx, kindDonation, "/api/v1/donations", http.MethodPost, "/api/v1/donations", c.staff.tok, body, nil)
}

// confirmReservation: staff confirm one of the group's pending reservations.
func (c *loadClient) confirmReservation(ctx context.Context) {
	for i, r := range c.held {
		if r.Status == "pending" {
			if c.write(ctx, kindOther, "/api/v1/reservations/:id/confirm", http.MethodPost,
				"/api/v1/reservations/"+id(r.ID)+"/confirm", c.staff.tok, nil, nil) == nil {
				c.held[i].Status = "confirmed"
			}
			return
		}
	}
	c.adjustStock(ctx)
}

// adjustStock: staff find one more of something than the shelf said.
func (c *loadClient) adjustStock(ctx context.Context) {
	body := map[string]any{"delta": 1, "reason": "miscounted", "note": "found on the shelf"}
	item := pick(c.rng, c.lt.items).ID
	c.write(ctx, kindOther, "/api/v1/stock/:id/adjustments", http.MethodPost, "/api/v1/stock/"+id(item)+"/adjustments", c.staff.tok, body, nil)
}

// updateContact: a member changes the group's phone number.
func (c *loadClient) updateContact(ctx context.Context) {
	body := map[string]any{"phone": fmt.Sprintf("0121 %03d %04d", 500+c.rng.IntN(400), c.rng.IntN(10000))}
	c.write(ctx, kindOther, "/api/v1/organisations/:id", http.MethodPatch,
		"/api/v1/organisations/"+id(*c.member.organisationID), c.member.tok, body, nil)
}
