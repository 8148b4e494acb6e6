package api

import "github.com/scrapstore/scrapstore/models"

// The query parameters of the routes that take any, one struct per kind of request (see
// withQuery). The route table names them; the handlers read them with queryOf.

type usersQuery struct {
	Role           string `query:"role" doc:"only this role"`
	OrganisationID int64  `query:"organisation_id"`
	Active         *bool  `query:"active"`
	paging
}

type auditQuery struct {
	EntityType string `query:"entity_type"`
	EntityID   int64  `query:"entity_id"`
	ActorID    int64  `query:"actor_id"`
	paging
}

type organisationsQuery struct {
	Kind   string `query:"kind"`
	Q      string `query:"q" doc:"part of the name or postcode"`
	Lapsed *bool  `query:"lapsed" doc:"membership out of date today"`
	paging
}

type slotsQuery struct {
	From *models.Date `query:"from" doc:"first day, YYYY-MM-DD"`
	To   *models.Date `query:"to" doc:"last day, YYYY-MM-DD (at most 62 days on)"`
}

// fromTodayQuery lists what lies on or after a day, today unless given.
type fromTodayQuery struct {
	From *models.Date `query:"from" doc:"YYYY-MM-DD, default today"`
	paging
}

type activeQuery struct {
	Active *bool `query:"active"`
	paging
}

type donorsQuery struct {
	Q      string `query:"q" doc:"part of the name or postcode"`
	Active *bool  `query:"active"`
	paging
}

type yearQuery struct {
	Year int `query:"year" doc:"default this year"`
}

type donationsQuery struct {
	DonorID int64        `query:"donor_id"`
	From    *models.Date `query:"from" doc:"first day"`
	To      *models.Date `query:"to" doc:"last day"`
	Sort    string       `query:"sort" doc:"received_at for the oldest first"`
	paging
}

// stockFilterQuery narrows the stock list and its CSV export alike.
type stockFilterQuery struct {
	CategoryID    int64  `query:"category_id"`
	LocationID    int64  `query:"location_id"`
	Q             string `query:"q" doc:"part of the description"`
	AvailableOnly bool   `query:"available_only"`
}

func (q stockFilterQuery) filter() models.StockFilter {
	return models.StockFilter{CategoryID: q.CategoryID, LocationID: q.LocationID, Q: q.Q, AvailableOnly: q.AvailableOnly}
}

type stockQuery struct {
	stockFilterQuery
	Sort string `query:"sort" doc:"the order: a field, - first for descending (default description)"`
	paging
}

type exportQuery struct {
	From *models.Date `query:"from" doc:"first day (default: a year ago)"`
	To   *models.Date `query:"to" doc:"last day (default: today)"`
}

type importQuery struct {
	DryRun bool `query:"dry_run" doc:"check every row and write nothing"`
}

type reservationsQuery struct {
	OrganisationID int64        `query:"organisation_id"`
	Status         string       `query:"status"`
	From           *models.Date `query:"from" doc:"first slot day"`
	To             *models.Date `query:"to" doc:"last slot day"`
	Sort           string       `query:"sort" doc:"slot_start for the earliest slot first"`
	paging
}

type outboxQuery struct {
	Unsent bool `query:"unsent"`
	paging
}

type furnitureQuery struct {
	TypeID    int64  `query:"type_id"`
	Status    string `query:"status"`
	Condition string `query:"condition" doc:"only items in this condition"`
	Q         string `query:"q" doc:"part of the description, colour or tag"`
	paging
}

type photoQuery struct {
	Thumb bool `query:"thumb"`
}

type recipientsQuery struct {
	Kind string `query:"kind"`
	Q    string `query:"q" doc:"name, reference or agency"`
	paging
}

type volunteersQuery struct {
	Kind string `query:"kind"`
	paging
}

type hoursQuery struct {
	VolunteerID int64        `query:"volunteer_id"`
	From        *models.Date `query:"from"`
	To          *models.Date `query:"to"`
	paging
}

type workshopsQuery struct {
	From *models.Date `query:"from" doc:"first day"`
	paging
}

// periodQuery is a report's period: a month, or a first and last day.
type periodQuery struct {
	Month string       `query:"month" doc:"YYYY-MM"`
	From  *models.Date `query:"from" doc:"first day"`
	To    *models.Date `query:"to" doc:"last day"`
}

type pickupStatusQuery struct {
	Reference string `query:"reference" doc:"the reference the form gave"`
	Email     string `query:"email" doc:"the email the request was made with"`
}

type pickupsQuery struct {
	Status string       `query:"status"`
	Date   *models.Date `query:"date" doc:"requests whose dates include this day"`
	paging
}

type runsQuery struct {
	Date *models.Date `query:"date" doc:"YYYY-MM-DD"`
	Sort string       `query:"sort" doc:"date for the earliest day first"`
	paging
}

type myRunsQuery struct {
	Date *models.Date `query:"date" doc:"YYYY-MM-DD, default today"`
	paging
}
