package demo

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/scrapstore/scrapstore/models"
)

// demoStockLines are the things donors bring, by category name: a description, the unit
// it is counted in and a typical quantity.
var demoStockLines = map[string][]struct {
	desc string
	unit string
	qty  int
}{
	"Paper and card": {{"A4 card, mixed colours", "box", 3}, {"Sugar paper", "sheet", 200}, {"Corrugated card sheets", "kg", 15},
		{"Envelopes", "box", 2}},
	"Textiles":        {{"Felt offcuts", "bag", 2}, {"Upholstery fabric samples", "bag", 1}, {"Ribbon", "metre", 40}, {"Wool", "bag", 1}},
	"Foam":            {{"Foam blocks", "bag", 2}, {"Packing foam sheets", "sheet", 30}},
	"Plastics":        {{"Bottle tops", "bag", 2}, {"Acrylic offcuts", "each", 40}, {"Plastic tubs", "box", 1}},
	"Wood":            {{"Pallet slats", "each", 12}, {"Dowel offcuts", "metre", 20}},
	"Tubes and cores": {{"Cardboard tubes", "each", 60}, {"Fabric roll cores", "each", 15}},
	"Containers":      {{"Jam jars", "each", 24}, {"Egg boxes", "box", 2}},
	"Craft":           {{"Buttons", "bag", 1}, {"Sequins and beads", "box", 1}, {"Wallpaper samples", "box", 2}},
}

// stock adds a year of donations (several a working day, more in autumn and spring
// term-time, fewer in August and at Christmas) spread over the shelves, and reservations
// by member groups in every state.
func (d *demo) stock() error {
	var cats []models.Category // those with stock lines: furniture and electricals are tracked one by one
	if err := d.tx.Preload("Units").Where("name IN ?", slices.Collect(maps.Keys(demoStockLines))).Order("id").Find(&cats).Error; err != nil {
		return err
	}
	var locs []models.Location
	if err := d.tx.Where("kind IN ?", []string{"shelf", "container", "bay"}).Order("id").Find(&locs).Error; err != nil {
		return err
	}
	var donorIDs []int64
	if err := d.tx.Model(&models.Donor{}).Order("id").Pluck("id", &donorIDs).Error; err != nil {
		return err
	}
	type key struct {
		cat  int64
		desc string
		unit string
	}
	var collectFrom []int64 // the businesses the vans call at
	if err := d.tx.Model(&models.Donor{}).Where("active = ?", true).Order("id").Pluck("id", &collectFrom).Error; err != nil {
		return err
	}
	items := map[key]*models.StockItem{}
	var donations []models.Donation
	var lines []models.DonationLine
	// give adds a donation of one to three lines and returns its index and weight.
	give := func(at time.Time, channel string, donor *int64) (int, models.Grams) {
		donations = append(donations, models.Donation{ReceivedAt: at, Channel: channel, DonorID: donor, CreatedAt: at})
		var grams models.Grams
		for j := 0; j < 1+d.rng.IntN(3); j++ {
			c := cats[d.rng.IntN(len(cats))]
			options := demoStockLines[c.Name]
			o := options[d.rng.IntN(len(options))]
			gpu := models.Grams(1000)
			for _, u := range c.Units {
				if u.Unit == o.unit {
					gpu = u.GramsPerUnit
				}
			}
			desc := o.desc
			if d.scale > 1 {
				desc = fmt.Sprintf("%s (%d)", o.desc, d.rng.IntN(d.scale*40))
			}
			k := key{c.ID, desc, o.unit}
			it := items[k]
			if it == nil {
				it = &models.StockItem{CategoryID: c.ID, Description: desc, LocationID: locs[d.rng.IntN(len(locs))].ID, Unit: o.unit,
					GramsPerUnit: gpu, CreatedAt: at}
				items[k] = it
			}
			milli := models.Milli(1+d.rng.IntN(o.qty*2)) * 1000
			if channel == "collection" {
				milli *= 3 // a van collects what a business has saved up
			}
			lines = append(lines, models.DonationLine{DonationID: int64(len(donations) - 1), CategoryID: c.ID, Description: desc,
				QuantityMilli: milli, Unit: o.unit,
				WeightG: models.LineGrams(milli, gpu), WeightEstimated: o.unit != "kg", LocationID: it.LocationID})
			grams += models.LineGrams(milli, gpu)
			it.OnHandMilli += milli
			it.UpdatedAt = at
		}
		return len(donations) - 1, grams
	}
	start := d.today.AddDays(-365)
	for day := start; day.Before(d.today.Time); day = day.AddDays(1) {
		if day.Weekday() == time.Sunday {
			continue
		}
		// Seasons: busiest in autumn and spring, quietest in August and late December.
		season := 1 + 0.4*math.Cos(float64(day.YearDay()-290)/365*2*math.Pi)
		if day.Month() == time.August || (day.Month() == time.December && day.Day() > 20) {
			season *= 0.4
		}
		n := int(float64(2+d.rng.IntN(4))*season*float64(d.scale) + 0.5)
		for i := 0; i < n; i++ {
			at := time.Date(day.Year(), day.Month(), day.Day(), 9+d.rng.IntN(8), d.rng.IntN(60), 0, 0, time.UTC)
			var donor *int64
			if d.rng.IntN(5) != 0 {
				donor = &donorIDs[d.rng.IntN(len(donorIDs))]
			}
			give(at, []string{"drop_off", "drop_off", "other"}[d.rng.IntN(3)], donor)
		}
		d.collect(day, collectFrom, give)
	}
	// Most of what came in has gone out again to member groups over the year: decide
	// how much before inserting, so each item goes in with its final figure.
	itemList := make([]*models.StockItem, 0, len(items))
	for _, it := range items {
		itemList = append(itemList, it)
	}
	slices.SortFunc(itemList, func(a, b *models.StockItem) int {
		return cmp.Or(cmp.Compare(a.CategoryID, b.CategoryID), cmp.Compare(a.Description, b.Description), cmp.Compare(a.Unit, b.Unit))
	})
	issued := make([]models.Milli, len(itemList))
	for i, it := range itemList {
		issued[i] = it.OnHandMilli * models.Milli(40+d.rng.IntN(50)) / 100 / 1000 * 1000
		it.OnHandMilli -= issued[i]
	}
	if err := d.tx.CreateInBatches(itemList, 500).Error; err != nil {
		return err
	}
	if err := d.tx.Omit("Lines").CreateInBatches(&donations, 500).Error; err != nil {
		return err
	}
	for _, r := range d.pastRuns {
		for i, st := range r.stops {
			if st.donation >= 0 {
				r.stops[i].donationID = donations[st.donation].ID
			}
		}
	}
	var moves []models.Movement
	for i := range lines {
		l := &lines[i]
		don := donations[l.DonationID] // DonationID held the donation's index until now
		l.DonationID = don.ID
		l.StockItemID = items[key{l.CategoryID, l.Description, l.Unit}].ID
		moves = append(moves, models.Movement{StockItemID: l.StockItemID, Kind: models.MoveReceived, QuantityMilli: l.QuantityMilli,
			WeightG:   l.WeightG,
			CauseType: "donation", CauseID: &don.ID, At: don.ReceivedAt})
	}
	if err := d.tx.CreateInBatches(&lines, 1000).Error; err != nil {
		return err
	}
	for i, it := range itemList {
		if issued[i] > 0 {
			moves = append(moves, models.Movement{StockItemID: it.ID, Kind: models.MoveIssued, QuantityMilli: -issued[i],
				WeightG:   -models.LineGrams(issued[i], it.GramsPerUnit),
				CauseType: "demo", At: it.UpdatedAt})
		}
	}
	return d.tx.CreateInBatches(&moves, 1000).Error
}
