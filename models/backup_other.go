//go:build !unix

package models

import "errors"

// sqliteInUse cannot ask another process's locks here, so restore refuses rather than
// risk replacing a database a running service has open.
func sqliteInUse(path string) (bool, error) {
	return false, errors.New("restore needs a Unix system to tell whether the database is in use; " +
		"stop the service and copy the backup file in place of the database")
}
