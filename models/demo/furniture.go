package demo

import (
	"fmt"
	"slices"
	"time"

	"github.com/scrapstore/scrapstore/models"
)

// Published average weights of furniture (kg) and a typical volume (m3); reuse saves
// about 1.45 kg CO2e a kg (WRAP's figure for sofas, used for upholstered items and as an
// estimate for the rest).
var demoFurnitureTypes = []models.FurnitureType{
	{Name: "Dining chair", DefaultWeightG: 7000, DefaultVolumeM3: 0.3},
	{Name: "Office chair", DefaultWeightG: 12000, DefaultVolumeM3: 0.5, Upholstered: true},
	{Name: "Armchair", DefaultWeightG: 27000, DefaultVolumeM3: 0.9, Upholstered: true},
	{Name: "Chest of drawers", DefaultWeightG: 27000, DefaultVolumeM3: 0.5},
	{Name: "Single wardrobe", DefaultWeightG: 37000, DefaultVolumeM3: 1.0},
	{Name: "Two-seat sofa", DefaultWeightG: 37000, DefaultVolumeM3: 1.4, Upholstered: true},
	{Name: "Three-seat sofa", DefaultWeightG: 42000, DefaultVolumeM3: 1.9, Upholstered: true},
	{Name: "Double wardrobe", DefaultWeightG: 55000, DefaultVolumeM3: 1.8},
	{Name: "Double bed", DefaultWeightG: 78000, DefaultVolumeM3: 2.2, Upholstered: true},
	{Name: "Fridge", DefaultWeightG: 45000, DefaultVolumeM3: 0.8, Electrical: true},
	{Name: "Table lamp", DefaultWeightG: 2000, DefaultVolumeM3: 0.05, Electrical: true},
}

// furniture adds the types, a year of furniture in every state with its checks, and the
// households and groups it went to.
func (d *demo) furniture() error {
	types := slices.Clone(demoFurnitureTypes)
	typeByID := map[int64]models.FurnitureType{}
	for i := range types {
		types[i].CO2eKgPerKg, types[i].CO2eSource = 1.45, "WRAP, re-use of sofas and furniture (kg CO2e per kg)"
		if err := d.tx.Create(&types[i]).Error; err != nil {
			return err
		}
		typeByID[types[i].ID] = types[i]
	}
	var households []models.Recipient
	agencies := []string{"Sandwell Council housing", "Black Country Women's Aid", "St Vincent de Paul", "Sandwell Young Carers",
		"Citizens Advice Sandwell"}
	for i := 0; i < 20*d.scale; i++ {
		street, pc, _, _ := d.address()
		households = append(households, models.Recipient{Kind: "household", Name: d.person(), Agency: agencies[d.rng.IntN(len(agencies))],
			Reference: fmt.Sprintf("REF-%05d", 1000+i), Address: street, Postcode: pc, Needs: "starting a new tenancy"})
	}
	for i := 0; i < 4 && i < len(d.orgIDs); i++ {
		id := d.orgIDs[len(d.orgIDs)-1-i]
		households = append(households, models.Recipient{Kind: "organisation", Name: fmt.Sprintf("Member group %d", id), OrganisationID: &id})
	}
	if err := d.tx.CreateInBatches(&households, 500).Error; err != nil {
		return err
	}
	statuses := []models.FurnitureStatus{models.FurnReceived, models.FurnChecking, models.FurnInRepair, models.FurnAvailable, models.FurnAvailable,
		models.FurnReserved, models.FurnPassedOn, models.FurnPassedOn,
		models.FurnPassedOn, models.FurnPassedOn, models.FurnDisposed}
	var items []models.FurnitureItem
	for i := 0; i < 120*d.scale; i++ {
		t := types[d.rng.IntN(len(types))]
		status := statuses[d.rng.IntN(len(statuses))]
		received := d.today.AddDays(-d.rng.IntN(360))
		it := models.FurnitureItem{Tag: fmt.Sprintf("FN-%06d", i+1), TypeID: t.ID, Condition: models.FurnitureConditions[d.rng.IntN(3)],
			WeightG: t.DefaultWeightG,
			Colour:  []string{"oak", "white", "grey", "brown", "black", "green"}[d.rng.IntN(6)], ReceivedOn: received, Status: status,
			ChargePence:      int64(d.rng.IntN(4)) * 500,
			FireLabelChecked: t.Upholstered && status != models.FurnReceived && status != models.FurnChecking}
		if status == models.FurnDisposed {
			it.DisposalRoute = models.DisposalRoutes[d.rng.IntN(len(models.DisposalRoutes))]
		}
		if status == models.FurnReserved || status == models.FurnPassedOn {
			r := households[d.rng.IntN(len(households))]
			it.RecipientID = &r.ID
		}
		items = append(items, it)
	}
	if err := d.tx.CreateInBatches(&items, 500).Error; err != nil {
		return err
	}
	if err := d.tx.Exec("UPDATE counters SET value = ? WHERE name = 'furniture_tag'", len(items)).Error; err != nil {
		return err
	}
	byID := map[int64]models.Recipient{}
	for _, r := range households {
		byID[r.ID] = r
	}
	var changes []models.StatusChange
	var tests []models.SafetyTest
	var handovers []models.Handover
	for _, it := range items {
		at := it.ReceivedOn.Start(time.UTC).Add(10 * time.Hour)
		changes = append(changes, models.StatusChange{ItemID: it.ID, ToStatus: models.FurnReceived, Reason: "registered", At: at})
		if it.Status != models.FurnReceived {
			changes = append(changes, models.StatusChange{ItemID: it.ID, FromStatus: models.FurnReceived, ToStatus: it.Status,
				At: at.Add(72 * time.Hour)})
		}
		t := typeByID[it.TypeID]
		if t.Electrical && it.Status != models.FurnReceived && it.Status != models.FurnChecking {
			tests = append(tests, models.SafetyTest{ItemID: it.ID, TestedOn: it.ReceivedOn.AddDays(2), Tester: "Black Country PAT Testing",
				Passed: it.Status != models.FurnInRepair && it.Status != models.FurnDisposed, CreatedAt: at})
		}
		if it.Status == models.FurnPassedOn {
			r := byID[*it.RecipientID]
			h := models.Handover{ItemID: it.ID, RecipientID: r.ID, RecipientKind: r.Kind, Method: "collected",
				HandedOn:    it.ReceivedOn.AddDays(7 + d.rng.IntN(20)),
				ChargePence: it.ChargePence, ReceivedBy: r.Name, WeightG: it.WeightG, VolumeM3: t.DefaultVolumeM3, CreatedAt: at}
			if h.HandedOn.After(d.today.Time) {
				h.HandedOn = d.today
			}
			if d.rng.IntN(3) == 0 && r.Kind == "household" {
				h.Method, h.DeliveryStatus, h.DeliveryAddress, h.DeliveryPostcode = "delivered", models.DeliveryDelivered, r.Address, r.Postcode
			}
			handovers = append(handovers, h)
		}
	}
	for _, batch := range []any{&changes, &tests, &handovers} {
		if err := d.tx.CreateInBatches(batch, 500).Error; err != nil {
			return err
		}
	}
	return nil
}
