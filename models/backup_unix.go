//go:build unix

package models

import (
	"errors"
	"io"
	"os"
	"syscall"
)

// sqliteInUse reports whether another process has the database open. Every connection
// to a database in WAL mode holds a shared lock on byte 128 of its -shm file (SQLite's
// "dead man switch") for as long as it is open; F_GETLK asks whether another process
// holds a lock there, without taking one. (Closing a file drops this process's own
// locks on it, so this is for a process that has not opened the database itself.)
func sqliteInUse(path string) (bool, error) {
	f, err := os.Open(path + "-shm")
	if errors.Is(err, os.ErrNotExist) {
		return false, nil // the last connection to close removes it
	}
	if err != nil {
		return false, err
	}
	defer f.Close()
	lk := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: io.SeekStart, Start: 128, Len: 1}
	if err := syscall.FcntlFlock(f.Fd(), syscall.F_GETLK, &lk); err != nil {
		return false, err
	}
	return lk.Type != syscall.F_UNLCK, nil
}
