package models

// The closed sets that answers carry and that list filters accept. The sets that requests
// send (Units, Channels, OrganisationKinds...) sit beside the rules that check them.
var (
	ReservationStatuses = []string{StatusPending, StatusConfirmed, StatusCollected, StatusCancelled, StatusExpired}
	FurnitureStatuses   = []string{FurnReceived, FurnChecking, FurnInRepair, FurnAvailable, FurnReserved, FurnPassedOn, FurnDisposed}
	PickupStatuses      = []string{PickupNew, PickupAccepted, PickupScheduled, PickupCollected, PickupMissed, PickupCancelled}
	MovementKinds       = []string{MoveReceived, MoveReserved, MoveReleased, MoveIssued, MoveAdjusted, MoveMoved, MoveWrittenOff}
	RecipientKinds      = []string{"household", "organisation"}
	RunStatuses         = []string{"planned", "started", "finished"}
	StopKinds           = []string{"pickup", "delivery"}
	StopStatuses        = []string{"planned", "completed", "missed"}
	StocktakeStatuses   = []string{"open", "closed"}
	// AfterFailureStatuses are where an item that failed its safety test may go.
	AfterFailureStatuses = []string{FurnInRepair, FurnDisposed}
)
