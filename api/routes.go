package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/scrapstore/scrapstore/models"
)

// route is one endpoint: who may call it, what handles it, and what the OpenAPI document
// says of it. roles nil means public.
type route struct {
	method, path string
	roles        []models.Role
	handler      echo.HandlerFunc
	// idempotent POSTs honour the Idempotency-Key header.
	idempotent bool
	summary    string
	query      any    // query parameters: a struct (see withQuery), nil for none
	body       any    // request body type (a zero value), nil for none
	resp       any    // response body type, nil for none
	status     int    // success status; 200 when zero
	produces   string // response media type when not JSON
	consumes   string // request media type when not JSON
	maxBody    int64  // largest body, when not MaxBody

	// oneOf lists the values a query parameter may take, by name; any other is a 422.
	oneOf map[string][]string
	// bodyOptional: the body may be left out.
	bodyOptional bool
}

type param struct{ name, kind, desc string }

// Who may do what. Managers may do everything staff may.
var (
	public      []models.Role
	anyone      = models.Roles // every signed-in role
	managers    = []models.Role{models.RoleManager}
	staff       = []models.Role{models.RoleManager, models.RoleStaff}
	staffDriver = []models.Role{models.RoleManager, models.RoleStaff, models.RoleDriver}
	staffMember = []models.Role{models.RoleManager, models.RoleStaff, models.RoleMember}
)

// routeTable lists every route of the service, in one place.
func (s *Server) routeTable() []route {
	return []route{
		{
			method: http.MethodGet, path: "/healthz", roles: public, handler: s.healthz,
			summary: "The process is up",
			resp:    health{},
		},
		{
			method: http.MethodGet, path: "/readyz", roles: public, handler: s.readyz,
			summary: "The database is reachable and migrated (else 503)",
			resp:    health{},
		},
		{
			method: http.MethodGet, path: "/metrics", roles: managers, handler: s.promMetrics,
			summary:  "Prometheus metrics (or without sign-in on the private metrics-addr)",
			produces: "text/plain",
		},
		{
			method: http.MethodGet, path: "/api/v1/openapi.json", roles: public, handler: s.openapiDoc,
			summary:  "This API as OpenAPI 3",
			produces: "application/json",
		},

		{
			method: http.MethodPost, path: "/api/v1/auth/login", roles: public, handler: s.login,
			summary: "Sign in",
			body:    loginRequest{}, resp: loginResponse{},
		},
		{
			method: http.MethodPost, path: "/api/v1/auth/logout", roles: anyone, handler: s.logout,
			summary: "Revoke this token",
			status:  http.StatusNoContent,
		},
		{
			method: http.MethodGet, path: "/api/v1/me", roles: anyone, handler: s.me,
			summary: "The signed-in user",
			resp:    models.User{},
		},
		{
			method: http.MethodPost, path: "/api/v1/me/password", roles: anyone, handler: s.changePassword,
			summary: "Change my password (revokes my other tokens)",
			body:    passwordRequest{}, status: http.StatusNoContent,
		},

		{
			method: http.MethodGet, path: "/api/v1/users", roles: managers, handler: s.listUsers,
			summary: "List users",
			resp:    List[models.User]{},
			query:   usersQuery{},
			oneOf:   map[string][]string{"role": roleStrings(models.Roles)},
		},
		{
			method: http.MethodPost, path: "/api/v1/users", roles: managers, handler: s.createUser, idempotent: true,
			summary: "Create a user",
			body:    models.NewUser{}, resp: models.User{}, status: http.StatusCreated,
		},
		{
			method: http.MethodGet, path: "/api/v1/users/:id", roles: managers, handler: s.getUser,
			summary: "One user",
			resp:    models.User{},
		},
		{
			method: http.MethodPatch, path: "/api/v1/users/:id", roles: managers, handler: s.updateUser,
			summary: "Change or deactivate a user",
			body:    models.UserChange{}, resp: models.User{},
		},

		{
			method: http.MethodGet, path: "/api/v1/audit", roles: managers, handler: s.listAudit,
			summary: "The audit log, newest first",
			resp:    List[models.AuditEntry]{},
			query:   auditQuery{},
		},
		{
			method: http.MethodGet, path: "/api/v1/jobs", roles: managers, handler: s.listJobs,
			summary: "Scheduled jobs with their last and next runs",
			resp:    List[jobView]{},
		},
		{
			method: http.MethodPost, path: "/api/v1/jobs/:name/run", roles: managers, handler: s.runJob,
			summary: "Run a job now",
			resp:    models.JobRun{},
		},

		// Member groups. A member sees and changes only its own organisation.
		{
			method: http.MethodGet, path: "/api/v1/organisations", roles: staffMember, handler: s.listOrganisations,
			summary: "List member groups by name (a member sees its own)",
			resp:    List[models.Organisation]{},
			query:   organisationsQuery{},
			oneOf:   map[string][]string{"kind": models.OrganisationKinds},
		},
		{
			method: http.MethodPost, path: "/api/v1/organisations", roles: staff, handler: s.createOrganisation, idempotent: true,
			summary: "Add a member group",
			body:    models.OrganisationInput{}, resp: models.Organisation{}, status: http.StatusCreated,
		},
		{
			method: http.MethodGet, path: "/api/v1/organisations/:id", roles: staffMember, handler: s.getOrganisation,
			summary: "One member group",
			resp:    models.Organisation{},
		},
		{
			method: http.MethodPatch, path: "/api/v1/organisations/:id", roles: staffMember, handler: s.updateOrganisation,
			summary: "Change a member group (members: contact details only)",
			body:    models.OrganisationInput{}, resp: models.Organisation{},
		},
		{
			method: http.MethodPost, path: "/api/v1/organisations/:id/renewals", roles: staff, handler: s.renewMembership, idempotent: true,
			summary: "Record a payment and extend the membership by a year",
			body:    models.RenewalInput{}, resp: renewalResponse{}, status: http.StatusCreated,
		},
		{
			method: http.MethodGet, path: "/api/v1/bands", roles: staffMember, handler: s.listBands,
			summary: "Membership bands",
			resp:    List[models.Band]{},
			query:   paging{},
		},
		{
			method: http.MethodGet, path: "/api/v1/slots", roles: staffMember, handler: s.listSlots,
			summary: "Visit slots with their free places (default: the next 14 days)",
			resp:    List[models.Slot]{},
			query:   slotsQuery{},
		},
		{
			method: http.MethodGet, path: "/api/v1/slot-rules", roles: staffMember, handler: s.listSlotRules,
			summary: "Weekly openings for member visits",
			resp:    List[models.SlotRule]{},
			query:   paging{},
		},
		{
			method: http.MethodPost, path: "/api/v1/slot-rules", roles: staff, handler: s.createSlotRule, idempotent: true,
			summary: "Add a weekly opening, cut into slots",
			body:    slotRuleRequest{}, resp: models.SlotRule{}, status: http.StatusCreated,
		},
		{
			method: http.MethodDelete, path: "/api/v1/slot-rules/:id", roles: staff, handler: s.deleteSlotRule,
			summary: "Remove a weekly opening",
			status:  http.StatusNoContent,
		},
		{
			method: http.MethodGet, path: "/api/v1/closed-days", roles: staffMember, handler: s.listClosedDays,
			summary: "Days closed to members, from a day on",
			resp:    List[models.ClosedDay]{},
			query:   fromTodayQuery{},
		},
		{
			method: http.MethodPost, path: "/api/v1/closed-days", roles: staff, handler: s.closeDay, idempotent: true,
			summary: "Close a day to members",
			body:    closedDayRequest{}, resp: models.ClosedDay{}, status: http.StatusCreated,
		},
		{
			method: http.MethodPost, path: "/api/v1/bands", roles: managers, handler: s.createBand, idempotent: true,
			summary: "Add a membership band",
			body:    bandRequest{}, resp: models.Band{}, status: http.StatusCreated,
		},

		// Stock: categories and their CO2e factors, locations, donors, donations and the ledger.
		{
			method: http.MethodGet, path: "/api/v1/categories", roles: anyone, handler: s.listCategories,
			summary: "Categories of material with unit weights and today's CO2e factor",
			resp:    List[models.CategoryView]{},
			query:   paging{},
		},
		{
			method: http.MethodPost, path: "/api/v1/categories", roles: managers, handler: s.createCategory, idempotent: true,
			summary: "Add a category",
			body:    models.CategoryInput{}, resp: models.CategoryView{}, status: http.StatusCreated,
		},
		{
			method: http.MethodGet, path: "/api/v1/categories/:id", roles: anyone, handler: s.getCategory,
			summary: "One category with its factor history",
			resp:    models.CategoryView{},
		},
		{
			method: http.MethodPatch, path: "/api/v1/categories/:id", roles: managers, handler: s.updateCategory,
			summary: "Change a category (factors are added, not edited)",
			body:    models.CategoryInput{}, resp: models.CategoryView{},
		},
		{
			method: http.MethodPost, path: "/api/v1/categories/:id/factors", roles: managers, handler: s.addFactor, idempotent: true,
			summary: "Add a CO2e factor version in force from a date",
			body:    factorRequest{}, resp: models.CategoryView{}, status: http.StatusCreated,
		},
		{
			method: http.MethodGet, path: "/api/v1/locations", roles: staffDriver, handler: s.listLocations,
			summary: "Where stock sits",
			resp:    List[models.Location]{},
			query:   activeQuery{},
		},
		{
			method: http.MethodPost, path: "/api/v1/locations", roles: staff, handler: s.createLocation, idempotent: true,
			summary: "Add a location",
			body:    models.LocationInput{}, resp: models.Location{}, status: http.StatusCreated,
		},
		{
			method: http.MethodPatch, path: "/api/v1/locations/:id", roles: staff, handler: s.updateLocation,
			summary: "Change or deactivate a location (not while it holds stock)",
			body:    models.LocationInput{}, resp: models.Location{},
		},
		{
			method: http.MethodGet, path: "/api/v1/donors", roles: staffDriver, handler: s.listDonors,
			summary: "Donor businesses by name",
			resp:    List[models.Donor]{},
			query:   donorsQuery{},
		},
		{
			method: http.MethodPost, path: "/api/v1/donors", roles: staff, handler: s.createDonor, idempotent: true,
			summary: "Add a donor business",
			body:    models.DonorInput{}, resp: models.Donor{}, status: http.StatusCreated,
		},
		{
			method: http.MethodGet, path: "/api/v1/donors/:id", roles: staffDriver, handler: s.getDonor,
			summary: "One donor",
			resp:    models.Donor{},
		},
		{
			method: http.MethodPatch, path: "/api/v1/donors/:id", roles: staff, handler: s.updateDonor,
			summary: "Change a donor",
			body:    models.DonorInput{}, resp: models.Donor{},
		},
		{
			method: http.MethodGet, path: "/api/v1/donors/:id/impact", roles: staff, handler: s.donorImpact,
			summary: "What a donor gave in a year, by category, and the CO2e saved",
			resp:    models.Impact{},
			query:   yearQuery{},
		},
		{
			method: http.MethodGet, path: "/api/v1/donations", roles: staff, handler: s.listDonations,
			summary: "Donations, newest first",
			resp:    List[models.Donation]{},
			query:   donationsQuery{},
			oneOf:   map[string][]string{"sort": models.DonationSorts.Keys()},
		},
		{
			method: http.MethodPost, path: "/api/v1/donations", roles: staffDriver, handler: s.createDonation, idempotent: true,
			summary: "Log a donation: each line goes on a shelf as a received movement",
			body:    models.DonationInput{}, resp: models.Donation{}, status: http.StatusCreated,
		},
		{
			method: http.MethodGet, path: "/api/v1/donations/:id", roles: staff, handler: s.getDonation,
			summary: "One donation with its lines",
			resp:    models.Donation{},
		},
		{
			method: http.MethodPost, path: "/api/v1/donations/:id/void", roles: staff, handler: s.voidDonation,
			summary: "Void a donation logged by mistake, reversing its movements",
			body:    reasonRequest{}, resp: models.Donation{},
		},
		{
			method: http.MethodGet, path: "/api/v1/stock", roles: anyone, handler: s.listStock,
			summary: "Stock items with on hand, reserved and available",
			resp:    List[models.StockItem]{},
			query:   stockQuery{},
			oneOf:   map[string][]string{"sort": models.StockSorts.Keys()},
		},
		{
			method: http.MethodGet, path: "/api/v1/stock/check", roles: managers, handler: s.checkLedger,
			summary: "Compare every item's on hand and reserved with the sums of its movements (the same check as scrapstore check)",
			resp:    ledgerCheck{},
		},
		{
			method: http.MethodGet, path: "/api/v1/stock/wanted", roles: public, handler: s.wantedList,
			summary: "Categories under their minimum stock, with how much is needed (public)",
			resp:    List[models.Wanted]{},
		},
		{
			method: http.MethodGet, path: "/api/v1/stock/:id", roles: anyone, handler: s.getStockItem,
			summary: "One stock item",
			resp:    models.StockItem{},
		},
		{
			method: http.MethodPatch, path: "/api/v1/stock/:id", roles: staff, handler: s.updateStockItem,
			summary: "Change an item's description or weight per unit",
			body:    stockPatch{}, resp: models.StockItem{},
		},
		{
			method: http.MethodGet, path: "/api/v1/stock/:id/movements", roles: staff, handler: s.listMovements,
			summary: "An item's ledger, newest first",
			resp:    List[models.Movement]{},
			query:   paging{},
		},
		{
			method: http.MethodPost, path: "/api/v1/stock/:id/adjustments", roles: staff, handler: s.adjustStock,
			summary: "Change a quantity by hand, never below what is reserved",
			body:    adjustmentRequest{}, resp: models.StockItem{},
		},
		{
			method: http.MethodPost, path: "/api/v1/stock/:id/move", roles: staff, handler: s.moveStock,
			summary: "Move an item to another location",
			body:    moveRequest{}, resp: models.StockItem{},
		},
		{
			method: http.MethodGet, path: "/api/v1/stocktakes", roles: staff, handler: s.listStocktakes,
			summary: "Stocktakes, newest first",
			resp:    List[models.Stocktake]{},
			query:   paging{},
		},
		{
			method: http.MethodPost, path: "/api/v1/stocktakes", roles: staff, handler: s.openStocktake, idempotent: true,
			summary: "Open a stocktake of a location or a category",
			body:    stocktakeRequest{}, resp: models.Stocktake{}, status: http.StatusCreated,
		},
		{
			method: http.MethodGet, path: "/api/v1/stocktakes/:id", roles: staff, handler: s.getStocktake,
			summary: "A stocktake with expected and counted quantities",
			resp:    models.Stocktake{},
		},
		{
			method: http.MethodPut, path: "/api/v1/stocktakes/:id/lines", roles: staff, handler: s.recordCounts,
			summary: "Record counts (an item not listed is added)",
			body:    countsRequest{}, resp: models.Stocktake{},
		},
		{
			method: http.MethodPost, path: "/api/v1/stocktakes/:id/close", roles: staff, handler: s.closeStocktake,
			summary: "Close: every difference becomes an adjusted movement",
			resp:    models.Stocktake{},
		},
		{
			method: http.MethodGet, path: "/api/v1/stock.csv", roles: staff, handler: s.exportStock,
			summary:  "Stock items as CSV: every one, or those the filters give",
			produces: "text/csv",
			query:    stockFilterQuery{},
		},
		{
			method: http.MethodGet, path: "/api/v1/donations.csv", roles: staff, handler: s.exportDonations,
			summary:  "Donation lines received in a period as CSV, one row per line",
			produces: "text/csv",
			query:    exportQuery{},
		},
		{
			method: http.MethodGet, path: "/api/v1/donors.csv", roles: staff, handler: s.exportDonors,
			summary:  "Every donor as CSV",
			produces: "text/csv",
		},
		{
			method: http.MethodPost, path: "/api/v1/imports/donors", roles: staff, handler: s.importDonors,
			summary: "Add donors from CSV (the donors.csv columns); all or nothing",
			resp:    models.ImportResult{}, consumes: "text/csv", maxBody: 20 << 20,
			query: importQuery{},
		},
		{
			method: http.MethodPost, path: "/api/v1/imports/donations", roles: staff, handler: s.importDonations,
			summary: "Add donations from CSV (the donations.csv columns); all or nothing",
			resp:    models.ImportResult{}, consumes: "text/csv", maxBody: 20 << 20,
			query: importQuery{},
		},

		// Reservations: members reserve stock for a visit slot; staff check them out at the counter.
		{
			method: http.MethodGet, path: "/api/v1/reservations", roles: staffMember, handler: s.listReservations,
			summary: "Reservations, latest slot first (a member sees its own)",
			resp:    List[models.Reservation]{},
			query:   reservationsQuery{},
			oneOf:   map[string][]string{"status": models.ReservationStatuses, "sort": models.ReservationSorts.Keys()},
		},
		{
			method: http.MethodPost, path: "/api/v1/reservations", roles: staffMember, handler: s.createReservation, idempotent: true,
			summary: "Reserve stock for a visit slot (members for their own group)",
			body:    models.ReservationInput{}, resp: models.Reservation{}, status: http.StatusCreated,
		},
		{
			method: http.MethodGet, path: "/api/v1/reservations/:id", roles: staffMember, handler: s.getReservation,
			summary: "One reservation",
			resp:    models.Reservation{},
		},
		{
			method: http.MethodPatch, path: "/api/v1/reservations/:id", roles: staffMember, handler: s.updateReservation,
			summary: "Change quantities (0 removes a line), the slot or notes until the slot starts",
			body:    models.ReservationInput{}, resp: models.Reservation{},
		},
		{
			method: http.MethodPost, path: "/api/v1/reservations/:id/confirm", roles: staff, handler: s.reservationAction(confirmReservation),
			summary: "Confirm a pending reservation",
			resp:    models.Reservation{},
		},
		{
			method: http.MethodPost, path: "/api/v1/reservations/:id/cancel", roles: staffMember, handler: s.reservationAction(cancelReservation),
			summary: "Cancel a reservation, releasing its stock and slot; a reason, if given, is kept",
			body:    reasonRequest{}, bodyOptional: true, resp: models.Reservation{},
		},
		{
			method: http.MethodPost, path: "/api/v1/reservations/:id/collect", roles: staff, handler: s.reservationAction(collectReservation),
			summary: "Check out at the counter: lines gives what was taken of each line (at most what was reserved), which is issued; the rest, and " +
				"every line not listed, is released",
			body: collectRequest{}, bodyOptional: true, resp: models.Reservation{},
		},
		{
			method: http.MethodPost, path: "/api/v1/issues", roles: staff, handler: s.issueWalkIn, idempotent: true,
			summary: "Issue stock to a member group without a reservation (a walk-in)",
			body:    walkInRequest{}, resp: models.Reservation{}, status: http.StatusCreated,
		},
		{
			method: http.MethodGet, path: "/api/v1/organisations/:id/summary", roles: staffMember, handler: s.organisationSummary,
			summary: "A group's visits, kg taken this year and last by category, reservations by status",
			resp:    models.OrganisationSummary{},
		},
		{
			method: http.MethodGet, path: "/api/v1/outbox", roles: staff, handler: s.listOutbox,
			summary: "Reminders and other messages, newest first",
			resp:    List[models.OutboxMessage]{},
			query:   outboxQuery{},
		},

		// Furniture reuse: tagged items, safety checks, recipients and hand-overs.
		{
			method: http.MethodGet, path: "/api/v1/furniture-types", roles: anyone, handler: s.listFurnitureTypes,
			summary: "Kinds of furniture with average weights and reuse factors",
			resp:    List[models.FurnitureType]{},
			query:   paging{},
		},
		{
			method: http.MethodPost, path: "/api/v1/furniture-types", roles: managers, handler: s.createFurnitureType, idempotent: true,
			summary: "Add a kind of furniture",
			body:    models.FurnitureTypeInput{}, resp: models.FurnitureType{}, status: http.StatusCreated,
		},
		{
			method: http.MethodGet, path: "/api/v1/furniture", roles: staffMember, handler: s.listFurniture,
			summary: "Furniture, newest first (members see what is available)",
			resp:    List[models.FurnitureItem]{},
			query:   furnitureQuery{},
			oneOf:   map[string][]string{"status": models.FurnitureStatuses, "condition": models.FurnitureConditions},
		},
		{
			method: http.MethodPost, path: "/api/v1/furniture", roles: staff, handler: s.registerFurniture, idempotent: true,
			summary: "Register a piece of furniture and give it a tag",
			body:    models.FurnitureInput{}, resp: models.FurnitureItem{}, status: http.StatusCreated,
		},
		{
			method: http.MethodGet, path: "/api/v1/furniture/by-tag/:tag", roles: staff, handler: s.furnitureByTag,
			summary: "Find an item by its tag (a barcode scanner)",
			resp:    models.FurnitureItem{},
		},
		{
			method: http.MethodGet, path: "/api/v1/furniture/deliveries", roles: staffDriver, handler: s.listDeliveries,
			summary: "Hand-overs waiting to be delivered, oldest first",
			resp:    List[models.Handover]{},
			query:   paging{},
		},
		{
			method: http.MethodPost, path: "/api/v1/furniture/labels.pdf", roles: staff, handler: s.furnitureLabels,
			summary: "An A4 sheet of labels (14 a page) for the items",
			body:    labelsRequest{}, produces: "application/pdf",
		},
		{
			method: http.MethodGet, path: "/api/v1/furniture/:id", roles: staffMember, handler: s.getFurniture,
			summary: "One item",
			resp:    models.FurnitureItem{},
		},
		{
			method: http.MethodPatch, path: "/api/v1/furniture/:id", roles: staff, handler: s.updateFurniture,
			summary: "Change an item's details, or record its fire label checked",
			body:    models.FurnitureInput{}, resp: models.FurnitureItem{},
		},
		{
			method: http.MethodPost, path: "/api/v1/furniture/:id/status", roles: staff, handler: s.furnitureStatus,
			summary: "Move an item to another status (a 409 lists the allowed ones)",
			body:    statusRequest{}, resp: models.FurnitureItem{},
		},
		{
			method: http.MethodGet, path: "/api/v1/furniture/:id/history", roles: staff, handler: s.furnitureHistory,
			summary: "Every status change of an item, with who and when",
			resp:    List[models.StatusChange]{},
		},
		{
			method: http.MethodPost, path: "/api/v1/furniture/:id/safety-tests", roles: staff, handler: s.safetyTest,
			summary: "Record an electrical safety test",
			body:    safetyTestRequest{}, resp: models.FurnitureItem{}, status: http.StatusCreated,
		},
		{
			method: http.MethodPost, path: "/api/v1/furniture/:id/photos", roles: staff, handler: s.addPhoto,
			summary: "Add a JPEG or PNG photo (multipart field photo, up to 5 MiB)",
			resp:    models.Photo{}, status: http.StatusCreated, consumes: "multipart/form-data", maxBody: 6 << 20,
		},
		{
			method: http.MethodGet, path: "/api/v1/furniture/:id/photos/:photo_id", roles: staffMember, handler: s.getPhoto,
			summary:  "A photo, or its thumbnail with ?thumb=true",
			produces: "image/jpeg",
			query:    photoQuery{},
		},
		{
			method: http.MethodPost, path: "/api/v1/furniture/:id/reserve", roles: staff, handler: s.reserveFurniture,
			summary: "Reserve an available item for a recipient",
			body:    reserveRequest{}, resp: models.FurnitureItem{},
		},
		{
			method: http.MethodPost, path: "/api/v1/furniture/:id/handover", roles: staff, handler: s.handOver,
			summary: "Hand a reserved item over, collected or delivered",
			body:    models.HandoverInput{}, resp: models.Handover{}, status: http.StatusCreated,
		},
		{
			method: http.MethodGet, path: "/api/v1/furniture/:id/label.pdf", roles: staff, handler: s.furnitureLabel,
			summary:  "A label with the tag and its barcode",
			produces: "application/pdf",
		},
		{
			method: http.MethodGet, path: "/api/v1/recipients", roles: staff, handler: s.listRecipients,
			summary: "Households and groups furniture goes to (staff only: personal data)",
			resp:    List[models.Recipient]{},
			query:   recipientsQuery{},
			oneOf:   map[string][]string{"kind": models.RecipientKinds},
		},
		{
			method: http.MethodPost, path: "/api/v1/recipients", roles: staff, handler: s.createRecipient, idempotent: true,
			summary: "Add a household referred by an agency, or a member group",
			body:    models.RecipientInput{}, resp: models.Recipient{}, status: http.StatusCreated,
		},
		{
			method: http.MethodGet, path: "/api/v1/recipients/:id", roles: staff, handler: s.getRecipient,
			summary: "One recipient",
			resp:    models.Recipient{},
		},
		{
			method: http.MethodPatch, path: "/api/v1/recipients/:id", roles: staff, handler: s.updateRecipient,
			summary: "Change a recipient",
			body:    models.RecipientInput{}, resp: models.Recipient{},
		},
		{
			method: http.MethodPost, path: "/api/v1/recipients/:id/erase", roles: managers, handler: s.eraseRecipient,
			summary: "Anonymise a household, keeping the figures",
			resp:    models.Recipient{},
		},

		// People and numbers: volunteers, the timebank, workshops and the funders' figures.
		{
			method: http.MethodGet, path: "/api/v1/volunteers", roles: staff, handler: s.listVolunteers,
			summary: "Volunteers, placements and apprentices by name",
			resp:    List[models.Volunteer]{},
			query:   volunteersQuery{},
			oneOf:   map[string][]string{"kind": models.VolunteerKinds},
		},
		{
			method: http.MethodPost, path: "/api/v1/volunteers", roles: staff, handler: s.createVolunteer, idempotent: true,
			summary: "Add a volunteer (with a timebank account)",
			body:    models.VolunteerInput{}, resp: models.Volunteer{}, status: http.StatusCreated,
		},
		{
			method: http.MethodGet, path: "/api/v1/volunteers/:id", roles: staff, handler: s.getVolunteer,
			summary: "One volunteer",
			resp:    models.Volunteer{},
		},
		{
			method: http.MethodGet, path: "/api/v1/volunteers/:id/timebank", roles: staff, handler: s.volunteerTimebank,
			summary: "A volunteer's credits and statement",
			resp:    models.Timebank{},
			query:   paging{},
		},
		{
			method: http.MethodGet, path: "/api/v1/volunteer-hours", roles: staff, handler: s.listHours,
			summary: "Hours given, newest first",
			resp:    List[models.VolunteerHours]{},
			query:   hoursQuery{},
		},
		{
			method: http.MethodPost, path: "/api/v1/volunteer-hours", roles: staff, handler: s.logHours, idempotent: true,
			summary: "Log hours (quarter hours, up to 12 a day); each hour earns a credit",
			body:    hoursRequest{}, resp: models.VolunteerHours{}, status: http.StatusCreated,
		},
		{
			method: http.MethodPatch, path: "/api/v1/volunteer-hours/:id", roles: staff, handler: s.correctHours,
			summary: "Correct an entry's hours or activity; the credits earned follow",
			body:    hoursCorrection{}, resp: models.VolunteerHours{},
		},
		{
			method: http.MethodPost, path: "/api/v1/timebank/transfers", roles: staff, handler: s.transferCredits, idempotent: true,
			summary: "Spend credits (to the store) or give them to another volunteer",
			body:    transferRequest{}, resp: models.Transfer{}, status: http.StatusCreated,
		},
		{
			method: http.MethodGet, path: "/api/v1/workshops", roles: anyone, handler: s.listWorkshops,
			summary: "Workshops, soonest first",
			resp:    List[models.Workshop]{},
			query:   workshopsQuery{},
		},
		{
			method: http.MethodPost, path: "/api/v1/workshops", roles: staff, handler: s.createWorkshop, idempotent: true,
			summary: "Add a workshop",
			body:    workshopRequest{}, resp: models.Workshop{}, status: http.StatusCreated,
		},
		{
			method: http.MethodPost, path: "/api/v1/workshops/:id/attendees", roles: staff, handler: s.addAttendee, idempotent: true,
			summary: "Add an attendee (a full workshop refuses)",
			body:    attendeeRequest{}, resp: models.Attendee{}, status: http.StatusCreated,
		},
		{
			method: http.MethodGet, path: "/api/v1/reports/figures", roles: managers, handler: s.figures,
			summary: "Every figure of a period and of the 12 months before it",
			resp:    models.Figures{},
			query:   periodQuery{},
		},
		{
			method: http.MethodGet, path: "/api/v1/reports", roles: managers, handler: s.listReports,
			summary: "Kept reports, newest first",
			resp:    List[models.Report]{},
			query:   paging{},
		},
		{
			method: http.MethodPost, path: "/api/v1/reports", roles: managers, handler: s.makeReport,
			summary: "Make and keep a report for a month or a period",
			body:    reportRequest{}, resp: models.Report{}, status: http.StatusCreated,
		},
		{
			method: http.MethodGet, path: "/api/v1/reports/:file", roles: managers, handler: s.reportPDF,
			summary:  "A kept report's PDF: /reports/{id}.pdf",
			produces: "application/pdf",
		},
		{
			method: http.MethodGet, path: "/api/v1/donors/:id/impact.pdf", roles: staff, handler: s.donorImpactPDF,
			summary:  "A thank-you statement of what a donor gave in a year",
			produces: "application/pdf",
			query:    yearQuery{},
		},
		{
			method: http.MethodGet, path: "/api/v1/reports/figures.csv", roles: managers, handler: s.figuresCSV,
			summary:  "The same figures as CSV",
			produces: "text/csv",
			query:    periodQuery{},
		},

		// Collection logistics: the public pickup form, triage, vans and drivers.
		{
			method: http.MethodPost, path: "/api/v1/pickup-requests", roles: public, handler: s.requestPickup,
			summary: "Ask for a collection (public, 5 an hour per address; staff signed in may name a donor_id)",
			body:    models.PickupInput{}, resp: pickupReceipt{}, status: http.StatusCreated,
		},
		{
			method: http.MethodGet, path: "/api/v1/pickup-requests/categories", roles: public, handler: s.pickupCategories,
			summary: "The categories of material the public form offers, for its category_ids (public)",
			resp:    List[models.CategoryName]{},
			query:   paging{},
		},
		{
			method: http.MethodGet, path: "/api/v1/pickup-requests/status", roles: public, handler: s.pickupStatus,
			summary: "A request's status, given its reference and email",
			resp:    pickupStatusView{},
			query:   pickupStatusQuery{},
		},
		{
			method: http.MethodGet, path: "/api/v1/pickup-requests", roles: staff, handler: s.listPickups,
			summary: "Pickup requests, oldest first",
			resp:    List[models.PickupRequest]{},
			query:   pickupsQuery{},
			oneOf:   map[string][]string{"status": models.PickupStatuses},
		},
		{
			method: http.MethodGet, path: "/api/v1/pickup-requests/:id", roles: staff, handler: s.getPickup,
			summary: "One pickup request",
			resp:    models.PickupRequest{},
		},
		{
			method: http.MethodPost, path: "/api/v1/pickup-requests/:id/accept", roles: staff, handler: s.acceptPickup,
			summary: "Accept a request (again: to place it), linking a donor or giving coordinates; without them its postcode is looked up, and " +
				"coordinates_needed says when it cannot be",
			body: models.AcceptInput{}, resp: models.PickupRequest{},
		},
		{
			method: http.MethodPost, path: "/api/v1/pickup-requests/:id/reject", roles: staff, handler: s.pickupReason(rejectPickup),
			summary: "Reject a new request with a reason",
			body:    reasonRequest{}, resp: models.PickupRequest{},
		},
		{
			method: http.MethodPost, path: "/api/v1/pickup-requests/:id/cancel", roles: staff, handler: s.pickupReason(cancelPickup),
			summary: "Cancel a request",
			body:    reasonRequest{}, resp: models.PickupRequest{},
		},
		{
			method: http.MethodGet, path: "/api/v1/vehicles", roles: staffDriver, handler: s.listVehicles,
			summary: "The vans",
			resp:    List[models.Vehicle]{},
			query:   activeQuery{},
		},
		{
			method: http.MethodPost, path: "/api/v1/vehicles", roles: managers, handler: s.createVehicle, idempotent: true,
			summary: "Add a van",
			body:    models.VehicleInput{}, resp: models.Vehicle{}, status: http.StatusCreated,
		},
		{
			method: http.MethodPatch, path: "/api/v1/vehicles/:id", roles: managers, handler: s.updateVehicle,
			summary: "Change or retire a van",
			body:    models.VehicleInput{}, resp: models.Vehicle{},
		},
		{
			method: http.MethodGet, path: "/api/v1/drivers/:id/absences", roles: staff, handler: s.listAbsences,
			summary: "Days a driver cannot work, from a day on",
			resp:    List[models.DriverAbsence]{},
			query:   fromTodayQuery{},
		},
		{
			method: http.MethodPost, path: "/api/v1/drivers/:id/absences", roles: staff, handler: s.addAbsence, idempotent: true,
			summary: "Record a day a driver cannot work",
			body:    absenceRequest{}, resp: models.DriverAbsence{}, status: http.StatusCreated,
		},
		{
			method: http.MethodPost, path: "/api/v1/plans", roles: managers, handler: s.plan,
			summary: "Plan a day's runs (dry_run: only propose, answering a plan id to make later); never replaces runs",
			body:    models.PlanRequest{}, resp: models.PlanResult{}, status: http.StatusCreated,
		},
		{
			method: http.MethodPost, path: "/api/v1/plans/:id/commit", roles: managers, handler: s.commitPlan,
			summary: "Make a previewed plan exactly as shown; 409 saying what changed since (a request cancelled, a van taken)",
			resp:    models.PlanResult{}, status: http.StatusCreated,
		},
		{
			method: http.MethodGet, path: "/api/v1/runs", roles: staff, handler: s.listRuns,
			summary: "Collection runs with their stops, latest day first",
			resp:    List[models.Run]{},
			query:   runsQuery{},
			oneOf:   map[string][]string{"sort": models.RunSorts.Keys()},
		},
		{
			method: http.MethodGet, path: "/api/v1/runs/mine", roles: staffDriver, handler: s.myRuns,
			summary: "My runs for a day (today by default)",
			resp:    List[models.Run]{},
			query:   myRunsQuery{},
		},
		{
			method: http.MethodGet, path: "/api/v1/runs/:id", roles: staffDriver, handler: s.getRun,
			summary: "One run (a driver sees only their own)",
			resp:    models.Run{},
		},
		{
			method: http.MethodPatch, path: "/api/v1/runs/:id", roles: staff, handler: s.assignDriver,
			summary: "Assign a driver who is available that day",
			body:    driverRequest{}, resp: models.Run{},
		},
		{
			method: http.MethodGet, path: "/api/v1/runs/:id/sheet.pdf", roles: staffDriver, handler: s.runSheet,
			summary:  "The driver's run sheet",
			produces: "application/pdf",
		},
		{
			method: http.MethodPost, path: "/api/v1/runs/:id/start", roles: staffDriver, handler: s.startRun,
			summary: "Start a run with the odometer reading",
			body:    startRequest{}, resp: models.Run{},
		},
		{
			method: http.MethodPost, path: "/api/v1/runs/:id/finish", roles: staffDriver, handler: s.finishRun,
			summary: "Finish a run with the odometer reading (confirm_km for a day beyond the limit); open stops refuse it unless miss_open_stops marks " +
				"them missed",
			body: models.RunFinish{}, resp: models.Run{},
		},
		{
			method: http.MethodPost, path: "/api/v1/runs/:id/stops", roles: staff, handler: s.changeRunStops,
			summary: "Move a stop into this run at a position, or add an accepted request; refused if it breaks a window, capacity or shift unless forced",
			body:    stopChangeRequest{}, resp: List[models.Run]{},
		},
		{
			method: http.MethodDelete, path: "/api/v1/stops/:id", roles: staff, handler: s.removeStop,
			summary: "Take a planned stop off its run; its request goes back to accepted",
			resp:    List[models.Run]{},
		},
		{
			method: http.MethodPost, path: "/api/v1/stops/:id/complete", roles: staffDriver, handler: s.completeStop,
			summary: "Record what a stop gave: a donation and its stock, once",
			body:    completeRequest{}, resp: models.RunStop{},
		},
		{
			method: http.MethodPost, path: "/api/v1/stops/:id/miss", roles: staffDriver, handler: s.missStop,
			summary: "Record a missed stop; its request goes back to accepted",
			body:    reasonRequest{}, resp: models.RunStop{},
		},
	}
}
