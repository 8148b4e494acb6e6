//go:build unix

package planner_test

import (
	"syscall"
	"time"
)

// cpuTime is the processor time this process has used: on a shared machine the clock
// says as much about the neighbours as about the planner.
func cpuTime() time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}
