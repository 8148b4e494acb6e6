package api

import (
	"fmt"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scrapstore/scrapstore/models"
	"github.com/scrapstore/scrapstore/models/testdb"
	"gorm.io/gorm"
)

func TestLogin(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		staff := e.users[models.RoleStaff]
		var lr loginResponse
		e.do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"email": "  " + staff.Email + " ", "password": testPassword}).
			want(http.StatusOK).decode(&lr)
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

// loginFrom signs in as a client at addr would.
func (e *testEnv) loginFrom(addr, email, password string) *result {
	e.t.Helper()
	req := e.request(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"email": email, "password": password})
	req.RemoteAddr = addr + ":40000"
	return e.serve(req)
}

const (
	attacker = "203.0.113.66"
	owner    = "198.51.100.7"
)

func retryAfter(t *testing.T, r *result, most int) {
	t.Helper()
	if secs, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || secs < 1 || secs > most {
		t.Fatalf("Retry-After = %q, want 1 to %d", r.header.Get("Retry-After"), most)
	}
}

// Failures for an email from one address stop that address, not the email's owner.
func TestLoginRateLimit(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		driver := e.users[models.RoleDriver]
		for i := 0; i < models.LoginFailureLimit; i++ {
			e.loginFrom(attacker, driver.Email, "wrong password "+strconv.Itoa(i)).want(http.StatusUnauthorized)
		}
		// Even the right password is refused from there now, with a time to wait.
		res := e.loginFrom(attacker, driver.Email, testPassword)
		res.problem(http.StatusTooManyRequests, "")
		retryAfter(t, res, 15*60)
		// The owner, elsewhere, is not locked out; nor are other emails from there.
		e.loginFrom(owner, driver.Email, testPassword).want(http.StatusOK)
		e.loginFrom(attacker, e.users[models.RoleStaff].Email, testPassword).want(http.StatusOK)
		// Signing in did not wipe the attacker's failures.
		e.loginFrom(attacker, driver.Email, testPassword).problem(http.StatusTooManyRequests, "")
	})
}

// Failures from one address across many emails stop the address.
func TestLoginRateLimitPerAddress(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		for i := 0; i < models.LoginAddressLimit; i++ {
			// Spread over every user, so that no email reaches its own limit.
			e.loginFrom(attacker, e.users[models.Roles[i%len(models.Roles)]].Email, "wrong password").want(http.StatusUnauthorized)
		}
		staff := e.users[models.RoleStaff]
		retryAfter(t, e.loginFrom(attacker, staff.Email, testPassword).want(http.StatusTooManyRequests), 15*60)
		e.loginFrom(owner, staff.Email, testPassword).want(http.StatusOK)
		// An IPv6 client is counted by its /64, so a new address in it is no way round.
		for i := 0; i < models.LoginFailureLimit; i++ {
			e.loginFrom(fmt.Sprintf("[2001:db8:1:2::%x]", i+1), staff.Email, "wrong password").want(http.StatusUnauthorized)
		}
		e.loginFrom("[2001:db8:1:2:ffff::1]", staff.Email, testPassword).want(http.StatusTooManyRequests)
		e.loginFrom("[2001:db8:1:3::1]", staff.Email, testPassword).want(http.StatusOK)
	})
}

// Failures for one email from many addresses slow every attempt for it down, by a
// delay that grows with each further failure, but never shut its owner out.
func TestLoginSlowsDownAnEmailUnderAttack(t *testing.T) {
	var now atomic.Int64
	now.Store(time.Now().UnixNano())
	clock := func() time.Time { return time.Unix(0, now.Load()) }
	wait := func(d time.Duration) { now.Add(int64(d)) }
	testdb.EachWith(t, clock, func(t *testing.T, store *models.Store) {
		e := newEnv(t, store)
		manager := e.users[models.RoleManager]
		for i := 0; i < models.LoginEmailLimit; i++ {
			// A new address before any one reaches its own limit.
			e.loginFrom(fmt.Sprintf("203.0.113.%d", i/(models.LoginFailureLimit-1)), manager.Email, "wrong password").want(http.StatusUnauthorized)
		}
		retryAfter(t, e.loginFrom("192.0.2.200", manager.Email, testPassword).want(http.StatusTooManyRequests), 2)
		wait(time.Second)
		e.loginFrom("192.0.2.201", manager.Email, "wrong password").want(http.StatusUnauthorized)
		// One more failure: the delay has doubled.
		wait(time.Second)
		retryAfter(t, e.loginFrom(owner, manager.Email, testPassword).want(http.StatusTooManyRequests), 2)
		wait(time.Second)
		e.loginFrom(owner, manager.Email, testPassword).want(http.StatusOK)
		// However long the attack, the delay stops growing at a minute.
		for i := 0; i < 10; i++ {
			wait(models.LoginMaxDelay)
			e.loginFrom(fmt.Sprintf("192.0.2.%d", i), manager.Email, "wrong password").want(http.StatusUnauthorized)
		}
		retryAfter(t, e.loginFrom(owner, manager.Email, testPassword).want(http.StatusTooManyRequests), 61)
		wait(models.LoginMaxDelay)
		e.loginFrom(owner, manager.Email, testPassword).want(http.StatusOK)
	})
}

// A burst of attempts at once is counted as strictly as the same attempts one by one:
// no more than the limit are checked, however many arrive together.
func TestLoginRateLimitConcurrent(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		const n = 40
		burst := func(email string, right int) map[int]int {
			statuses := make([]int, n)
			parallel(n, func(i int) {
				pw := "wrong password " + strconv.Itoa(i)
				if i == right {
					pw = testPassword
				}
				statuses[i] = e.loginFrom(attacker, email, pw).status
			})
			return tally(statuses)
		}
		driver := e.users[models.RoleDriver]
		if got := burst(driver.Email, -1); got[http.StatusUnauthorized] != models.LoginFailureLimit ||
			got[http.StatusTooManyRequests] != n-models.LoginFailureLimit {
			t.Fatalf("%d wrong passwords at once were answered %v; want %d checked (401), the rest 429", n, got, models.LoginFailureLimit)
		}
		// The right password among wrong ones is only checked while the limit allows;
		// once it has been reached, it is refused like the rest.
		staff := e.users[models.RoleStaff]
		got := burst(staff.Email, 17)
		// The right one, when it is checked, is no failure: it leaves its place to a
		// wrong one, so at most one more than the limit is checked, never more.
		wrong, right := got[http.StatusUnauthorized], got[http.StatusOK]
		if right > 1 || wrong > models.LoginFailureLimit || wrong+right < models.LoginFailureLimit ||
			wrong+right+got[http.StatusTooManyRequests] != n {
			t.Fatalf("%d wrong passwords and the right one at once were answered %v", n-1, got)
		}
		if wrong < models.LoginFailureLimit {
			e.loginFrom(attacker, staff.Email, "wrong password again").want(http.StatusUnauthorized)
		}
		e.loginFrom(attacker, staff.Email, testPassword).want(http.StatusTooManyRequests)
		e.loginFrom(owner, staff.Email, testPassword).want(http.StatusOK)
		var failures int64
		e.store.DB(t.Context()).Model(&models.LoginFailure{}).Where("email = ?", staff.Email).Count(&failures)
		if failures != models.LoginFailureLimit {
			t.Fatalf("%d failures recorded, want %d", failures, models.LoginFailureLimit)
		}
	})
}

// Only a trusted proxy's X-Forwarded-For names the client; anyone else's is ignored.
func TestLoginBehindTrustedProxy(t *testing.T) {
	testdb.Each(t, func(t *testing.T, store *models.Store) {
		e := newEnv(t, store)
		_, proxies, _ := net.ParseCIDR("10.1.0.0/16")
		e.srv, _ = newTestServer(t, store, Config{TrustedProxies: []*net.IPNet{proxies}})
		login := func(from, xff, password string) *result {
			req := e.request(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"email": e.users[models.RoleDriver].Email, "password": password})
			req.RemoteAddr = from + ":40000"
			req.Header.Set("X-Forwarded-For", xff)
			return e.serve(req)
		}
		// A client that names a new address each time is still one address.
		for i := 0; i < models.LoginFailureLimit; i++ {
			login(attacker, fmt.Sprintf("192.0.2.%d", i), "wrong password").want(http.StatusUnauthorized)
		}
		login(attacker, "192.0.2.99", testPassword).want(http.StatusTooManyRequests)
		// Through the proxy, each client is counted as itself, and what a client put in
		// the header before the proxy added its address does not count.
		for i := 0; i < models.LoginFailureLimit; i++ {
			login("10.1.2.3", "192.0.2."+strconv.Itoa(i)+", 198.51.100.1", "wrong password").want(http.StatusUnauthorized)
		}
		login("10.1.2.3", "198.51.100.1", testPassword).want(http.StatusTooManyRequests)
		login("10.1.2.3", "198.51.100.2", testPassword).want(http.StatusOK)
		// The private network the proxy sits in is not trusted unless it is listed.
		login("10.2.0.1", "198.51.100.3", testPassword).want(http.StatusOK)
		var counted []string
		e.store.DB(t.Context()).Model(&models.LoginFailure{}).Distinct("client_ip").Order("client_ip").Pluck("client_ip", &counted)
		if want := []string{"198.51.100.1", attacker}; !slices.Equal(counted, want) {
			t.Fatalf("failures counted against %v, want %v", counted, want)
		}
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
		e.do(http.MethodPost, "/api/v1/me/password", keep, map[string]string{"current_password": "wrong", "new_password": "a new long password"}).
			problem(http.StatusUnprocessableEntity, "current_password")
		e.do(http.MethodPost, "/api/v1/me/password", keep, map[string]string{"current_password": testPassword, "new_password": "short"}).
			problem(http.StatusUnprocessableEntity, "new_password")
		e.do(http.MethodPost, "/api/v1/me/password", keep, map[string]string{"current_password": testPassword, "new_password": "Password123"}).
			problem(http.StatusUnprocessableEntity, "new_password")
		e.do(http.MethodPost, "/api/v1/me/password", keep, map[string]string{"current_password": testPassword, "new_password": "a new long password"}).
			want(http.StatusNoContent)
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
		testdb.Write(t, e.store, func(tx *gorm.DB) *gorm.DB {
			return tx.Model(&models.Token{}).Where("user_id = ?", e.users[models.RoleStaff].ID).Update("expires_at", time.Now().Add(-time.Second))
		})
		e.do(http.MethodGet, "/api/v1/me", tok, nil).problem(http.StatusUnauthorized, "")
	})
}

func (e *testEnv) loginAs(email, password string) string {
	e.t.Helper()
	var lr loginResponse
	e.do(http.MethodPost, "/api/v1/auth/login", "", map[string]string{"email": email, "password": password}).want(http.StatusOK).decode(&lr)
	return lr.Token
}
