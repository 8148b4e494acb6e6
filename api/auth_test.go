package api

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/scrapstore/scrapstore/models"
)

func TestLogin(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		staff := e.users[models.RoleStaff]
		var lr loginResponse
		e.do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"email": "  " + staff.Email + " ", "password": testPassword}).want(http.StatusOK).decode(&lr)
		if len(lr.Token) < 40 || lr.User.ID != staff.ID || lr.ExpiresAt.Before(time.Now().Add(59*time.Minute)) {
			t.Fatalf("login answered %+v", lr)
		}
		var me models.User
		e.do(http.MethodGet, "/api/v1/me", lr.Token, nil).want(http.StatusOK).decode(&me)
		if me.Email != staff.Email || me.Role != models.RoleStaff {
			t.Fatalf("me = %+v", me)
		}
		// Only the hash of the token is stored.
		var n int64
		e.store.DB(t.Context()).Model(&models.Token{}).Where("hash = ?", lr.Token).Count(&n)
		if n != 0 {
			t.Fatal("the raw token is stored")
		}

		unknown := e.do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"email": "nobody@example.org", "password": testPassword})
		wrong := e.do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"email": staff.Email, "password": "wrong password!"})
		pu, pw := unknown.problem(http.StatusUnauthorized, ""), wrong.problem(http.StatusUnauthorized, "")
		if pu.Detail != pw.Detail {
			t.Fatalf("unknown email and wrong password differ: %q vs %q", pu.Detail, pw.Detail)
		}
		e.do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"email": staff.Email}).problem(http.StatusUnprocessableEntity, "password")
	})
}

func TestLoginRateLimit(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		driver := e.users[models.RoleDriver]
		for i := 0; i < models.LoginFailureLimit; i++ {
			e.do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"email": driver.Email, "password": "wrong password " + strconv.Itoa(i)}).want(http.StatusUnauthorized)
		}
		// Even the right password is refused now, with a time to wait.
		res := e.do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"email": driver.Email, "password": testPassword})
		res.problem(http.StatusTooManyRequests, "")
		if secs, err := strconv.Atoi(res.header.Get("Retry-After")); err != nil || secs < 1 || secs > 15*60 {
			t.Fatalf("Retry-After = %q", res.header.Get("Retry-After"))
		}
		// Failures from one address for many emails are limited too (the test client's
		// address is the same for every request).
		e.do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"email": e.users[models.RoleStaff].Email, "password": testPassword}).want(http.StatusTooManyRequests)
	})
}

func TestLogoutAndRevocation(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		u, tok := e.newUser(models.RoleStaff, nil)
		e.do(http.MethodPost, "/api/v1/auth/logout", tok, nil).want(http.StatusNoContent)
		e.do(http.MethodGet, "/api/v1/me", tok, nil).problem(http.StatusUnauthorized, "")

		// Changing the password keeps this token and revokes the others.
		keep := e.tokens[models.RoleStaff]
		other := e.loginAs(e.users[models.RoleStaff].Email, testPassword)
		e.do(http.MethodPost, "/api/v1/me/password", keep, map[string]string{"current_password": "wrong", "new_password": "a new long password"}).problem(http.StatusUnprocessableEntity, "current_password")
		e.do(http.MethodPost, "/api/v1/me/password", keep, map[string]string{"current_password": testPassword, "new_password": "short"}).problem(http.StatusUnprocessableEntity, "new_password")
		e.do(http.MethodPost, "/api/v1/me/password", keep, map[string]string{"current_password": testPassword, "new_password": "Password123"}).problem(http.StatusUnprocessableEntity, "new_password")
		e.do(http.MethodPost, "/api/v1/me/password", keep, map[string]string{"current_password": testPassword, "new_password": "a new long password"}).want(http.StatusNoContent)
		e.do(http.MethodGet, "/api/v1/me", keep, nil).want(http.StatusOK)
		e.do(http.MethodGet, "/api/v1/me", other, nil).problem(http.StatusUnauthorized, "")
		e.loginAs(e.users[models.RoleStaff].Email, "a new long password")

		// A deactivated user's tokens stop working at once, and they cannot sign in.
		utok := e.loginAs(u.Email, testPassword)
		e.do(http.MethodPatch, "/api/v1/users/"+strconv.FormatInt(u.ID, 10), e.as(models.RoleManager), map[string]any{"active": false}).want(http.StatusOK)
		e.do(http.MethodGet, "/api/v1/me", utok, nil).problem(http.StatusUnauthorized, "")
		e.do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"email": u.Email, "password": testPassword}).want(http.StatusUnauthorized)
	})
}

func TestTokenExpires(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		tok := e.tokens[models.RoleStaff]
		e.store.DB(t.Context()).Model(&models.Token{}).Where("user_id = ?", e.users[models.RoleStaff].ID).Update("expires_at", time.Now().Add(-time.Second))
		e.do(http.MethodGet, "/api/v1/me", tok, nil).problem(http.StatusUnauthorized, "")
	})
}

func (e *testEnv) loginAs(email, password string) string {
	e.t.Helper()
	var lr loginResponse
	e.do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"email": email, "password": password}).want(http.StatusOK).decode(&lr)
	return lr.Token
}
