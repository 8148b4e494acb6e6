package models

import "time"

// OrganisationKinds are the kinds of member group.
var OrganisationKinds = []string{"school", "early_years", "play_group", "community_group", "charity", "other"}

// Band is a membership band: what a group pays a year and how much it may take a visit.
type Band struct {
	ID             int64     `json:"id"`
	Name           string    `json:"name"`
	AnnualFeePence int64     `json:"annual_fee_pence"`
	AllowanceG     int64     `json:"-"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// Organisation is a member group: a school, a nursery, a play group, a community group.
type Organisation struct {
	ID                  int64     `json:"id"`
	Name                string    `json:"name"`
	Kind                string    `json:"kind"`
	Address             string    `json:"address"`
	Postcode            string    `json:"postcode"`
	ContactName         string    `json:"contact_name"`
	Email               string    `json:"email"`
	Phone               string    `json:"phone"`
	PeopleServed        int       `json:"people_served"`
	BandID              *int64    `json:"band_id"`
	MemberSince         *Date     `json:"member_since"`
	MembershipExpiresOn *Date     `json:"membership_expires_on"`
	CreatedAt           time.Time `json:"created_at"`
	UpdatedAt           time.Time `json:"updated_at"`
}
