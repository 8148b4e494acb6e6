package models

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
)

// ruleCase is one table row for a pure rule: what goes in, and the fields it must
// refuse with the start of each message (an empty want: nothing is refused).
type ruleCase struct {
	name  string
	check func(p *Problems)
	want  map[string]string
}

func runRules(t *testing.T, cases []ruleCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var p Problems
			c.check(&p)
			got := map[string]string{}
			for _, f := range p.list {
				got[f.Field] = f.Message
			}
			if !slices.Equal(slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(c.want))) {
				t.Fatalf("refused %v, want %v", got, c.want)
			}
			for field, msg := range c.want {
				if !strings.HasPrefix(got[field], msg) {
					t.Errorf("%s: %q, want %q", field, got[field], msg)
				}
			}
		})
	}
}

// refused is the problems of a Store method that refuses its input before it reaches
// the database, as a rule.
func refused(call func() error) func(p *Problems) {
	return func(p *Problems) {
		var ve *ValidationError
		if errors.As(call(), &ve) {
			p.list = ve.Errors
		}
	}
}

// ref points at a copy of v, for the optional fields of an input.

func TestTextRule(t *testing.T) {
	text := func(v string, max int, required bool) func(p *Problems) {
		return func(p *Problems) { checkTextUpTo(p, "f", v, max, required) }
	}
	runRules(t, []ruleCase{
		{"within the limit", text("Bay 3", 5, true), nil},
		{"letters, not bytes, are counted", text("café", 4, true), nil},
		{"one over", text("Bay 30", 5, true), map[string]string{"f": "must be at most 5 characters"}},
		{"missing and required", text("  ", 5, true), map[string]string{"f": "is required"}},
		{"missing and optional", text("", 5, false), nil},
		{"NUL", text("a\x00b", 5, false), map[string]string{"f": "must not contain NUL"}},
		{"broken UTF-8", text("caf\xc3", 5, false), map[string]string{"f": "is not valid UTF-8"}},
		{"free text", func(p *Problems) { checkText(p, "f", strings.Repeat("a", MaxText+1), false) },
			map[string]string{"f": "must be at most 2000 characters"}},
	})
}

func TestCategoryRules(t *testing.T) {
	create := func(in CategoryInput) func(p *Problems) {
		return func(p *Problems) { (*Store)(nil).applyCategory(p, &Category{}, in) }
	}
	change := func(in CategoryInput) func(p *Problems) {
		return func(p *Problems) {
			in.checkNoFactor(p)
			(*Store)(nil).applyCategory(p, &Category{Name: "Card", DefaultUnit: "box"}, in)
		}
	}
	long := strings.Repeat("x", MaxTitle+1)
	runRules(t, []ruleCase{
		{"a good category", create(CategoryInput{Name: ptr("Card"), DefaultUnit: ptr("box"), UnitWeightsKg: map[string]float64{"box": 4}}), nil},
		{"nothing given", create(CategoryInput{}), map[string]string{"name": "is required", "default_unit": "must be one of"}},
		{"a name too long", create(CategoryInput{Name: &long, DefaultUnit: ptr("kg")}), map[string]string{"name": "must be at most 100"}},
		{"a unit that does not exist", create(CategoryInput{Name: ptr("Card"), DefaultUnit: ptr("crate")}),
			map[string]string{"default_unit": "must be one of"}},
		{"no weight for the default unit", create(CategoryInput{Name: ptr("Card"), DefaultUnit: ptr("box"), UnitWeightsKg: map[string]float64{"bag": 1}}),
			map[string]string{"unit_weights_kg": "must give the weight of the default unit"}},
		{"a weight of nothing", create(CategoryInput{Name: ptr("Card"), DefaultUnit: ptr("kg"), UnitWeightsKg: map[string]float64{"box": 0}}),
			map[string]string{"unit_weights_kg.box": "must be more than 0"}},
		{"a negative minimum", create(CategoryInput{Name: ptr("Card"), DefaultUnit: ptr("kg"), MinStockKg: ptr(-1.0)}),
			map[string]string{"min_stock_kg": "must be between"}},
		{"a change keeps what is not given", change(CategoryInput{Diverted: ptr(false)}), nil},
		{"a change may not set a factor", change(CategoryInput{CO2eKgPerKg: ptr(1.0), CO2eSource: ptr("WRAP")}),
			map[string]string{"co2e_kg_per_kg": "is set only when the category is created", "co2e_source": "is set only"}},
		{"a factor's source too long", func(p *Problems) { checkFactor(p, 0.9, strings.Repeat("s", MaxLine+1), "source") },
			map[string]string{"source": "must be at most 500"}},
		{"a factor out of range", func(p *Problems) { checkFactor(p, -1, "WRAP", "source") }, map[string]string{"co2e_kg_per_kg": "must be between"}},
	})
}

func TestLocationRules(t *testing.T) {
	apply := func(in LocationInput) func(p *Problems) { return func(p *Problems) { (&Location{}).apply(p, in) } }
	runRules(t, []ruleCase{
		{"a good location", apply(LocationInput{Code: ptr("b3"), Name: ptr("Bay 3"), Kind: ptr("bay")}), nil},
		{"nothing given", apply(LocationInput{}), map[string]string{"code": "must be a short code", "name": "is required", "kind": "must be one of"}},
		{"a code with a space", apply(LocationInput{Code: ptr("B 3"), Name: ptr("Bay 3"), Kind: ptr("bay")}),
			map[string]string{"code": "must be a short code"}},
		{"a code too long", apply(LocationInput{Code: ptr(strings.Repeat("B", MaxCode+1)), Name: ptr("Bay"), Kind: ptr("bay")}),
			map[string]string{"code": "must be a short code"}},
		{"a name too long", apply(LocationInput{Code: ptr("B3"), Name: ptr(strings.Repeat("n", MaxTitle+1)), Kind: ptr("bay")}),
			map[string]string{"name": "must be at most 100"}},
	})
}

func TestDonorRules(t *testing.T) {
	apply := func(in DonorInput) func(p *Problems) { return func(p *Problems) { (&Donor{}).apply(p, in, nil) } }
	long := func(n int) *string { return ptr(strings.Repeat("a", n+1)) }
	runRules(t, []ruleCase{
		{"a good donor", apply(DonorInput{Name: ptr("Albion Packaging"), Email: ptr("jas@albion.example"), Postcode: ptr("b70 6au")}), nil},
		{"no name", apply(DonorInput{}), map[string]string{"name": "is required"}},
		{"fields too long", apply(DonorInput{Name: long(MaxName), ContactName: long(MaxName), Phone: long(MaxPhone), Address: long(MaxLine),
			Notes: long(MaxText), Postcode: long(MaxPostcode)}), map[string]string{"name": "must be at most 200", "contact_name": "must be at most 200",
			"phone": "must be at most 40", "address": "must be at most 500", "notes": "must be at most 2000", "postcode": "must be at most 10"}},
		{"not an email", apply(DonorInput{Name: ptr("Albion"), Email: ptr("albion")}), map[string]string{"email": "is not an email address"}},
		{"not a postcode", apply(DonorInput{Name: ptr("Albion"), Postcode: ptr("ABC")}), map[string]string{"postcode": "is not a UK postcode"}},
		{"half a place", apply(DonorInput{Name: ptr("Albion"), Latitude: ptr(52.5)}), map[string]string{"longitude": "give both"}},
	})
}

func TestFurnitureRules(t *testing.T) {
	kind := func(in FurnitureTypeInput) func(p *Problems) { return in.check }
	today := Date{time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)}
	handover := func(in HandoverInput) func(p *Problems) { return func(p *Problems) { in.check(p, today) } }
	wardrobe := FurnitureTypeInput{Name: "Wardrobe", DefaultWeightKg: 60, DefaultVolumeM3: 1.5, CO2eKgPerKg: 1.2, CO2eSource: "WRAP"}
	longName, noVolume := wardrobe, wardrobe
	longName.Name, noVolume.DefaultVolumeM3 = strings.Repeat("w", MaxTitle+1), 0
	runRules(t, []ruleCase{
		{"a good kind", kind(wardrobe), nil},
		{"nothing given", kind(FurnitureTypeInput{}), map[string]string{"name": "is required", "default_weight_kg": "must be more than 0",
			"default_volume_m3": "must be more than 0", "co2e_source": "is required"}},
		{"a name too long", kind(longName), map[string]string{"name": "must be at most 100"}},
		{"no volume", kind(noVolume), map[string]string{"default_volume_m3": "must be more than 0"}},
		{"a good collection", handover(HandoverInput{Method: "collected", On: today, ReceivedBy: "Mr Evans"}), nil},
		{"no hand-over", handover(HandoverInput{}), map[string]string{"method": "must be one of", "on": "is required"}},
		{"collected by nobody", handover(HandoverInput{Method: "collected", On: today}), map[string]string{"received_by": "is required"}},
		{"collected tomorrow", handover(HandoverInput{Method: "collected", On: today.AddDays(1), ReceivedBy: "Mr Evans"}),
			map[string]string{"on": "a collection cannot be in the future"}},
		{"a delivery next week", handover(HandoverInput{Method: "delivered", On: today.AddDays(7)}), nil},
		{"a negative charge", handover(HandoverInput{Method: "delivered", On: today, ChargePence: -1}),
			map[string]string{"charge_pence": "must be between"}},
		{"a receiver's name too long", handover(HandoverInput{Method: "delivered", On: today, ReceivedBy: strings.Repeat("r", MaxName+1)}),
			map[string]string{"received_by": "must be at most 200"}},
	})
}

func TestPostcodeRule(t *testing.T) {
	set := func(v *string) func(p *Problems) {
		return func(p *Problems) {
			pc := "B70 6AU"
			setPostcode(p, &pc, v)
		}
	}
	runRules(t, []ruleCase{
		{"left out", set(nil), nil},
		{"cleared", set(ptr(" ")), nil},
		{"a postcode", set(ptr("b706au")), nil},
		{"not a postcode", set(ptr("B70")), map[string]string{"postcode": "is not a UK postcode"}},
		{"too long", set(ptr("B70 6AU 6AU")), map[string]string{"postcode": "must be at most 10"}},
	})
}

func TestDayRule(t *testing.T) {
	today := Date{time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)}
	day := func(d Date) func(p *Problems) { return func(p *Problems) { checkDay(p, "on", d, today, 5, 0) } }
	runRules(t, []ruleCase{
		{"today", day(today), nil},
		{"left out", day(Date{}), map[string]string{"on": "is required"}},
		{"a mistyped year", day(Date{time.Date(2016, 11, 26, 0, 0, 0, 0, time.UTC)}), map[string]string{"on": "must not be before 2021-11-26"}},
		{"tomorrow, where the future is refused", day(today.AddDays(1)), map[string]string{"on": "cannot be in the future"}},
	})
}

func TestRenewalRules(t *testing.T) {
	today := Date{time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)}
	renewal := func(in RenewalInput) func(p *Problems) { return func(p *Problems) { in.check(p, today) } }
	runRules(t, []ruleCase{
		{"a good renewal", renewal(RenewalInput{PaidPence: 4500, Method: "bank_transfer", PaidOn: today}), nil},
		{"nothing given", renewal(RenewalInput{}), map[string]string{"method": "must be one of", "paid_on": "is required"}},
		{"a negative payment", renewal(RenewalInput{PaidPence: -1, Method: "cash", PaidOn: today}), map[string]string{"paid_pence": "must be between"}},
	})
}

func TestPeopleRules(t *testing.T) {
	// Each of these is refused before the database is reached, so a store without one will do.
	s := &Store{}
	today := Date{time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)}
	volunteer := func(in VolunteerInput) func(p *Problems) {
		return refused(func() error { _, err := s.CreateVolunteer(t.Context(), nil, in, today); return err })
	}
	hours := func(volunteer int64, day Date, h float64, activity string) func(p *Problems) {
		return refused(func() error { _, err := s.LogHours(t.Context(), nil, volunteer, day, h, activity, today); return err })
	}
	transfer := func(from, to int64, credits float64, note string) func(p *Problems) {
		return refused(func() error { _, err := s.TransferCredits(t.Context(), nil, from, to, credits, note); return err })
	}
	runRules(t, []ruleCase{
		{"a volunteer with nothing", volunteer(VolunteerInput{}), map[string]string{"name": "is required", "kind": "must be one of"}},
		{"a volunteer's fields too long", volunteer(VolunteerInput{Name: strings.Repeat("n", MaxName+1), Phone: strings.Repeat("1", MaxPhone+1),
			Kind: "placement", Email: "priya"}), map[string]string{"name": "must be at most 200", "phone": "must be at most 40",
			"email": "is not an email address"}},
		{"hours with nothing", hours(0, Date{}, 0, ""), map[string]string{"volunteer_id": "is required", "date": "is required",
			"hours": "must be in quarter hours", "activity": "must be one of"}},
		{"ten minutes", hours(1, today, 1.0/6, "sorting"), map[string]string{"hours": "must be in quarter hours"}},
		{"a transfer with nothing", transfer(0, 0, 0, ""), map[string]string{"from_account": "is required", "to_account": "is required",
			"credits": "must be in quarters"}},
		{"a transfer to itself", transfer(1, 1, 1, ""), map[string]string{"to_account": "must differ"}},
		{"a transfer's note too long", transfer(1, 2, 1, strings.Repeat("n", MaxLine+1)), map[string]string{"note": "must be at most 500"}},
	})
}

func TestAcceptRules(t *testing.T) {
	accept := func(in AcceptInput) func(p *Problems) {
		return refused(func() error { _, err := (&Store{}).AcceptPickup(t.Context(), nil, 1, in); return err })
	}
	runRules(t, []ruleCase{
		{"half a place", accept(AcceptInput{Latitude: ptr(52.5)}), map[string]string{"longitude": "give both"}},
		{"a place off the earth", accept(AcceptInput{Latitude: ptr(95.0), Longitude: ptr(0.0)}), map[string]string{"latitude": ""}},
		{"too urgent", accept(AcceptInput{Priority: 6}), map[string]string{"priority": "must be 1 (normal) to 5 (urgent)"}},
	})
}

func TestReservationLineRules(t *testing.T) {
	lines := func(allowZero bool, l ...LineInput) func(p *Problems) {
		return func(p *Problems) { checkLines(p, l, allowZero) }
	}
	walkIn := func(org int64, override string, l ...LineInput) func(p *Problems) {
		return refused(func() error {
			_, err := (&Store{}).IssueWalkIn(t.Context(), nil, org, l, override, time.UTC)
			return err
		})
	}
	card := LineInput{StockItemID: 1, Quantity: 2}
	runRules(t, []ruleCase{
		{"one line", lines(false, card), nil},
		{"no lines", lines(false), map[string]string{"lines": "must have at least one line"}},
		{"no lines in a change", lines(true), nil},
		{"no item", lines(false, LineInput{Quantity: 1}), map[string]string{"lines[0].stock_item_id": "is required"}},
		{"a walk-in for nobody", walkIn(0, "", card), map[string]string{"organisation_id": "is required"}},
		{"a walk-in's override too long", walkIn(1, strings.Repeat("o", MaxLine+1), card), map[string]string{"override_reason": "must be at most 500"}},
	})
}

func TestRunRules(t *testing.T) {
	s := &Store{}
	complete := func(lines ...DonationLineInput) func(p *Problems) {
		return refused(func() error { _, err := s.CompleteStop(t.Context(), nil, 1, lines, 1); return err })
	}
	runRules(t, []ruleCase{
		{"a driver left out", refused(func() error { _, err := s.AssignDriver(t.Context(), nil, 1, 0); return err }),
			map[string]string{"driver_id": "is required"}},
		{"a collected line without its category",
			complete(DonationLineInput{Description: "tubes", Quantity: 1}, DonationLineInput{CategoryID: ptr[int64](0)}),
			map[string]string{"lines[0].category_id": "is required", "lines[1].category_id": "is required"}},
	})
}

func TestSlotRules(t *testing.T) {
	s := &Store{}
	rule := func(r SlotRule) func(p *Problems) {
		return refused(func() error { _, err := s.CreateSlotRule(t.Context(), nil, r); return err })
	}
	closeDay := func(day Date, reason string) func(p *Problems) {
		return refused(func() error { _, err := s.CloseDay(t.Context(), nil, day, reason); return err })
	}
	runRules(t, []ruleCase{
		{"nothing given", rule(SlotRule{}), map[string]string{"starts": "must be a time HH:MM", "ends": "must be a time HH:MM",
			"slot_minutes": "must be between 10 and 600", "places": "must be between 1 and 100"}},
		{"closing before opening", rule(SlotRule{Weekday: 3, Starts: "12:00", Ends: "10:00", SlotMinutes: 30, Places: 2}),
			map[string]string{"ends": "must be after starts"}},
		{"slots that do not fit", rule(SlotRule{Weekday: 3, Starts: "10:00", Ends: "11:00", SlotMinutes: 25, Places: 2}),
			map[string]string{"slot_minutes": "must divide the opening"}},
		{"a label too long", rule(SlotRule{Weekday: 3, Starts: "10:00", Ends: "11:00", SlotMinutes: 30, Places: 2, Label: strings.Repeat("l", MaxName+1)}),
			map[string]string{"label": "must be at most 200"}},
		{"a closed day left out", closeDay(Date{}, ""), map[string]string{"day": "is required"}},
		{"a closed day's reason too long", closeDay(Date{time.Now()}, strings.Repeat("r", MaxLine+1)), map[string]string{"reason": "must be at most 500"}},
	})
}

func TestStockRules(t *testing.T) {
	s := &Store{now: time.Now}
	donation := func(in DonationInput) func(p *Problems) {
		return refused(func() error { _, err := s.ReceiveDonation(t.Context(), nil, in); return err })
	}
	adjust := func(delta float64, reason, note string) func(p *Problems) {
		return refused(func() error { _, err := s.AdjustStock(t.Context(), nil, 1, delta, reason, note); return err })
	}
	card := DonationLineInput{CategoryID: ptr[int64](1), LocationID: ptr[int64](1), Description: "card", Quantity: 2}
	long := card
	long.Description, long.Unit = strings.Repeat("d", MaxLine+1), "crate"
	runRules(t, []ruleCase{
		{"no lines", donation(DonationInput{}), map[string]string{"lines": "must have at least one line"}},
		{"a line of nothing", donation(DonationInput{Lines: []DonationLineInput{{}}}), map[string]string{
			"lines[0].stock_item_id": "give a stock_item_id, or", "lines[0].description": "is required", "lines[0].quantity": "must be more than 0"}},
		{"a line's description too long and a unit that does not exist", donation(DonationInput{Lines: []DonationLineInput{card, long}}),
			map[string]string{"lines[1].description": "must be at most 500", "lines[1].unit": "must be one of"}},
		{"a channel that does not exist", donation(DonationInput{Channel: "post", Lines: []DonationLineInput{card}}),
			map[string]string{"channel": "must be one of"}},
		{"an adjustment of nothing", adjust(0, "", ""), map[string]string{"delta": "must be a non-zero", "reason": "must be one of"}},
		{"an adjustment's note too long", adjust(1, "other", strings.Repeat("n", MaxText+1)), map[string]string{"note": "must be at most 2000"}},
		{"a move nowhere", refused(func() error { _, err := s.MoveStock(t.Context(), nil, 1, 0); return err }),
			map[string]string{"location_id": "is required"}},
		{"a description too long", refused(func() error {
			_, err := s.UpdateStockItem(t.Context(), nil, 1, ptr(strings.Repeat("d", MaxLine+1)), nil)
			return err
		}), map[string]string{"description": "must be at most 500"}},
	})
}

func TestCountRules(t *testing.T) {
	counts := func(c ...Count) func(p *Problems) {
		return refused(func() error { _, err := (&Store{}).RecordCounts(t.Context(), nil, 1, c); return err })
	}
	runRules(t, []ruleCase{
		{"no counts", counts(), map[string]string{"lines": "must have 1 to 1000 counts"}},
		{"a count of no item", counts(Count{Counted: 2}), map[string]string{"lines[0].stock_item_id": "is required"}},
		{"a count below nothing", counts(Count{StockItemID: 1, Counted: -1}), map[string]string{"lines[0].counted": "must be between 0 and 1000000"}},
	})
}

func TestVehicleRules(t *testing.T) {
	apply := func(in VehicleInput) func(p *Problems) { return func(p *Problems) { (&Vehicle{}).apply(p, in) } }
	van := func() VehicleInput {
		return VehicleInput{Name: ptr("Transit"), Registration: ptr("bv21 rde"), CapacityKg: ptr(900.0), CapacityM3: ptr(8.0)}
	}
	many, longName, badSkill := van(), van(), van()
	many.Skills = ptr(make([]string, MaxSkills+1))
	for i := range *many.Skills {
		(*many.Skills)[i] = "tail_lift"
	}
	longName.Name = ptr(strings.Repeat("v", MaxTitle+1))
	badSkill.Skills = ptr([]string{"Tail lift"})
	runRules(t, []ruleCase{
		{"a good van", apply(van()), nil},
		{"nothing given", apply(VehicleInput{}), map[string]string{"name": "is required", "registration": "is required"}},
		{"a registration too long", func(p *Problems) {
			in := van()
			in.Registration = ptr("BV21 RDE 123456")
			(&Vehicle{}).apply(p, in)
		}, map[string]string{"registration": "must be at most 12 characters"}},
		{"a name too long", apply(longName), map[string]string{"name": "must be at most 100"}},
		{"too many skills", apply(many), map[string]string{"skills": "must have at most 20 items"}},
		{"a skill that is not a word", apply(badSkill), map[string]string{"skills[0]": "must be a short lower-case word"}},
		{"an absence left out", refused(func() error {
			_, err := (&Store{now: time.Now}).AddDriverAbsence(t.Context(), nil, 1, Date{}, "")
			return err
		}),
			map[string]string{"day": "is required"}},
	})
}

func TestSignInRules(t *testing.T) {
	s := &Store{}
	login := func(email, password string) func(p *Problems) {
		return refused(func() error { _, _, _, err := s.Login(t.Context(), email, password, "", time.Hour); return err })
	}
	change := func(current, next string) func(p *Problems) {
		return refused(func() error { return s.ChangePassword(t.Context(), &User{}, current, next, "") })
	}
	runRules(t, []ruleCase{
		{"nothing given", login("", ""), map[string]string{"email": "is required", "password": "is required"}},
		{"an email too long", login(strings.Repeat("e", MaxEmail+1), "pw"), map[string]string{"email": "must be at most 254"}},
		{"a password too long to be one", login("sam@example.org", strings.Repeat("p", MaxSecretInput+1)),
			map[string]string{"password": "must be at most 200"}},
		{"no passwords", change("", ""), map[string]string{"current_password": "is required", "new_password": "is required"}},
	})
}
