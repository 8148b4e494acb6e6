package models

// The closed sets that answers carry and that list filters accept. The sets that requests
// send (Units, Channels, OrganisationKinds...) sit beside the rules that check them.
var (
	ReservationStatuses = names([]ReservationStatus{StatusPending, StatusConfirmed, StatusCollected, StatusCancelled, StatusExpired})
	FurnitureStatuses   = names([]FurnitureStatus{FurnReceived, FurnChecking, FurnInRepair, FurnAvailable, FurnReserved, FurnPassedOn, FurnDisposed})
	PickupStatuses      = names([]PickupStatus{PickupNew, PickupAccepted, PickupScheduled, PickupCollected, PickupMissed, PickupCancelled})
	MovementKinds       = []string{MoveReceived, MoveReserved, MoveReleased, MoveIssued, MoveAdjusted, MoveMoved, MoveWrittenOff}
	RecipientKinds      = []string{"household", "organisation"}
	RunStatuses         = names([]RunStatus{RunPlanned, RunStarted, RunFinished})
	StopKinds           = []string{"pickup", "delivery"}
	StopStatuses        = names([]StopStatus{StopPlanned, StopCompleted, StopMissed})
	StocktakeStatuses   = names([]StocktakeStatus{StocktakeOpen, StocktakeClosed})
	// AfterFailureStatuses are where an item that failed its safety test may go.
	AfterFailureStatuses = names([]FurnitureStatus{FurnInRepair, FurnDisposed})
)

// names lists the values of a typed set as the strings answers and documents give.
func names[T ~string](values []T) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = string(v)
	}
	return out
}
