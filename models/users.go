package models

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net/mail"
	"net/netip"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// Role is what a user may do; each user has exactly one.
type Role string

const (
	RoleManager Role = "manager"
	RoleStaff   Role = "staff"
	RoleDriver  Role = "driver"
	RoleMember  Role = "member"
)

// Roles lists every role.
var Roles = []Role{RoleManager, RoleStaff, RoleDriver, RoleMember}

func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// User is a person who signs in. Users are deactivated, never deleted, so that history
// keeps their names.
type User struct {
	ID             int64     `json:"id"`
	Email          string    `json:"email"`
	Name           string    `json:"name"`
	Role           Role      `json:"role"`
	OrganisationID *int64    `json:"organisation_id"`
	PasswordHash   string    `json:"-"`
	Active         bool      `json:"active"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// Token is a sign-in session. Only the SHA-256 of the secret is stored.
type Token struct {
	ID        int64
	UserID    int64
	Hash      string
	CreatedAt time.Time
	ExpiresAt time.Time
	RevokedAt *time.Time
}

// LoginFailure is one failed sign-in, kept for rate limiting. A sign-in is recorded as a
// failure before its password is checked, and the record is removed when it was right.
type LoginFailure struct {
	ID       int64
	Email    string
	ClientIP string // the client's address, or its /64 network for IPv6
	At       time.Time
}

// Sign-in limits, counted over the last LoginFailureWindow. They slow guessing down
// without letting a stranger lock an account's owner out.
const (
	LoginFailureWindow = 15 * time.Minute
	// LoginFailureLimit failures for one email from one address, and that address may
	// not try that email again until the oldest failure leaves the window. The owner,
	// signing in from elsewhere, is not affected.
	LoginFailureLimit = 10
	// LoginAddressLimit failures from one address, whatever the emails, and the address
	// may not try any email until the oldest failure leaves the window.
	LoginAddressLimit = 3 * LoginFailureLimit
	// LoginEmailLimit failures for one email from every address together, and each
	// further attempt must come a growing delay after the last failure: one second,
	// then two, four... up to LoginMaxDelay. That bounds guessing from many addresses
	// while the owner still gets in, at worst a minute later.
	LoginEmailLimit = 3 * LoginFailureLimit
	LoginMaxDelay   = time.Minute
)

// NewUser is what is needed to create a user.
type NewUser struct {
	Email          string `json:"email"`
	Name           string `json:"name"`
	Role           Role   `json:"role"`
	OrganisationID *int64 `json:"organisation_id"`
	Password       string `json:"password"`
}

// UserChange is a partial update of a user; nil fields stay as they are.
type UserChange struct {
	Name           *string `json:"name"`
	Role           *Role   `json:"role"`
	OrganisationID *int64  `json:"organisation_id"`
	Active         *bool   `json:"active"`
	Password       *string `json:"password"`
}

func normaliseEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }

// emailDomain is a domain that mail can be sent to: dot-separated labels of letters,
// digits and hyphens (an internationalised domain in its xn-- form).
var emailDomain = regexp.MustCompile(`(?i)^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$`)

func checkEmail(p *Problems, field, email string) {
	if email == "" {
		p.Add(field, "is required")
		return
	}
	a, err := mail.ParseAddress(email)
	at := strings.LastIndexByte(email, '@')
	if err != nil || a.Address != email || len(email) > 254 || at < 1 || !emailDomain.MatchString(email[at+1:]) ||
		strings.IndexFunc(email[:at], func(r rune) bool { return r == utf8.RuneError || !unicode.IsGraphic(r) }) >= 0 {
		p.Add(field, "is not an email address (such as name@example.org)")
	}
}

// checkRoleOrganisation enforces that members, and only members, belong to an organisation.
// It returns only the database's errors: the rule's go into p.
func (s *Store) checkRoleOrganisation(tx *gorm.DB, p *Problems, role Role, orgID *int64) error {
	if !role.Valid() {
		p.Add("role", "must be one of manager, staff, driver, member")
		return nil
	}
	switch {
	case role == RoleMember && orgID == nil:
		p.Add("organisation_id", "is required for a member")
	case role != RoleMember && orgID != nil:
		p.Add("organisation_id", "only members belong to an organisation")
	case orgID != nil:
		var n int64
		if err := tx.Model(&Organisation{}).Where("id = ?", *orgID).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			p.Add("organisation_id", "no organisation with id %d", *orgID)
		}
	}
	return nil
}

// HashPassword hashes a password at the Store's bcrypt cost.
func (s *Store) HashPassword(pw string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(pw), s.bcryptCost)
	return string(h), err
}

// CreateUser adds a user; actor is who did it (nil from the command line).
func (s *Store) CreateUser(ctx context.Context, actor *User, in NewUser) (*User, error) {
	in.Email = normaliseEmail(in.Email)
	in.Name = strings.TrimSpace(in.Name)
	var p Problems
	checkEmail(&p, "email", in.Email)
	checkTextUpTo(&p, "name", in.Name, MaxName, true)
	checkPassword(&p, "password", in.Password)
	if err := s.checkRoleOrganisation(s.DB(ctx), &p, in.Role, in.OrganisationID); err != nil {
		return nil, err
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	hash, err := s.HashPassword(in.Password)
	if err != nil {
		return nil, err
	}
	u := &User{Email: in.Email, Name: in.Name, Role: in.Role, OrganisationID: in.OrganisationID, PasswordHash: hash, Active: true}
	err = s.InTx(ctx, func(tx *gorm.DB) error {
		res := tx.Clauses(clause.OnConflict{DoNothing: true}).Create(u)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return Conflict("a user with email %s already exists", in.Email)
		}
		return s.audit(tx, actor, "create", "user", u.ID,
			map[string]any{"email": u.Email, "name": u.Name, "role": u.Role, "organisation_id": u.OrganisationID})
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// User fetches one user.
func (s *Store) User(ctx context.Context, id int64) (*User, error) {
	var u User
	if err := s.DB(ctx).First(&u, id).Error; err != nil {
		return nil, notFound(err, "user", id)
	}
	return &u, nil
}

// UserFilter narrows ListUsers.
type UserFilter struct {
	Role           Role
	OrganisationID int64
	Active         *bool
}

// ListUsers pages through users by id.
func (s *Store) ListUsers(ctx context.Context, f UserFilter, page Page) ([]User, string, error) {
	q := s.DB(ctx).Model(&User{})
	if f.Role != "" {
		q = q.Where("role = ?", f.Role)
	}
	if f.OrganisationID != 0 {
		q = q.Where("organisation_id = ?", f.OrganisationID)
	}
	if f.Active != nil {
		q = q.Where("active = ?", *f.Active)
	}
	return Paginate[User](q, page, KeyID, func(u User) Key { return Key{ID: u.ID} })
}

// UpdateUser changes a user. Deactivating a user, or changing their password or role,
// revokes their tokens at once.
func (s *Store) UpdateUser(ctx context.Context, actor *User, id int64, ch UserChange) (*User, error) {
	var u User
	err := s.InTx(ctx, func(tx *gorm.DB) error {
		if err := tx.First(&u, id).Error; err != nil {
			return notFound(err, "user", id)
		}
		before := u
		var p Problems
		if ch.Name != nil {
			u.Name = strings.TrimSpace(*ch.Name)
			checkTextUpTo(&p, "name", u.Name, MaxName, true)
		}
		if ch.Role != nil {
			u.Role = *ch.Role
			if u.Role != RoleMember {
				u.OrganisationID = nil
			}
		}
		if ch.OrganisationID != nil {
			u.OrganisationID = ch.OrganisationID
		}
		if ch.Role != nil || ch.OrganisationID != nil {
			if err := s.checkRoleOrganisation(tx, &p, u.Role, u.OrganisationID); err != nil {
				return err
			}
		}
		if ch.Active != nil {
			u.Active = *ch.Active
		}
		if ch.Password != nil {
			checkPassword(&p, "password", *ch.Password)
		}
		if actor != nil && actor.ID == u.ID && (!u.Active || u.Role != before.Role) {
			p.Add("active", "you cannot deactivate yourself or change your own role")
		}
		if err := p.Err(); err != nil {
			return err
		}
		if ch.Password != nil {
			h, err := s.HashPassword(*ch.Password)
			if err != nil {
				return err
			}
			u.PasswordHash = h
		}
		if err := tx.Save(&u).Error; err != nil {
			return err
		}
		if !u.Active || u.Role != before.Role || ch.Password != nil || !sameID(u.OrganisationID, before.OrganisationID) {
			if err := s.revokeTokens(tx, u.ID, ""); err != nil {
				return err
			}
		}
		changes := diff(map[string]any{"name": before.Name, "role": before.Role, "organisation_id": before.OrganisationID, "active": before.Active},
			map[string]any{"name": u.Name, "role": u.Role, "organisation_id": u.OrganisationID, "active": u.Active})
		if ch.Password != nil {
			changes["password"] = "changed"
		}
		return s.audit(tx, actor, "update", "user", u.ID, changes)
	})
	if err != nil {
		return nil, err
	}
	return &u, nil
}

func sameID(a, b *int64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func (s *Store) revokeTokens(tx *gorm.DB, userID int64, exceptHash string) error {
	return tx.Model(&Token{}).Where("user_id = ? AND revoked_at IS NULL AND hash <> ?", userID, exceptHash).
		Update("revoked_at", s.Now()).Error
}

// dummyHash makes a sign-in for an unknown email cost as much as a wrong password, so
// that timing does not reveal which emails exist.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("not a real password"), bcrypt.DefaultCost)

// Login checks an email and password and issues a token. Unknown emails and wrong
// passwords fail alike; an attempt over the sign-in limits is refused with a
// RateLimitError before its password is checked.
func (s *Store) Login(ctx context.Context, email, password, clientIP string, ttl time.Duration) (string, *Token, *User, error) {
	var p Problems
	checkTextUpTo(&p, "email", email, MaxEmail, true)
	checkSecretGiven(&p, "password", password)
	if err := p.Err(); err != nil {
		return "", nil, nil, err
	}
	email = normaliseEmail(email)
	attempt, err := s.admitLogin(ctx, email, addressKey(clientIP))
	if err != nil {
		return "", nil, nil, err
	}
	var u User
	err = s.DB(ctx).Where("email = ?", email).First(&u).Error
	if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
		return "", nil, nil, err
	}
	hash := dummyHash
	if err == nil {
		hash = []byte(u.PasswordHash)
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil || err != nil || !u.Active {
		return "", nil, nil, fmt.Errorf("email or password is wrong: %w", ErrUnauthorized)
	}
	var (
		secret string
		tok    *Token
	)
	err = s.InTx(ctx, func(tx *gorm.DB) error {
		if err := tx.Delete(&LoginFailure{}, attempt).Error; err != nil {
			return err
		}
		secret, tok, err = s.Bound(tx).issueToken(ctx, u.ID, ttl)
		return err
	})
	if err != nil {
		return "", nil, nil, err
	}
	return secret, tok, &u, nil
}

// admitLogin decides whether a sign-in may be checked and, if so, records it as a
// failure (returning the record's id), in one step locked per email and per address:
// however many attempts arrive at once, from however many processes, no more than the
// limits allow are ever checked.
func (s *Store) admitLogin(ctx context.Context, email, addr string) (int64, error) {
	f := LoginFailure{Email: email, ClientIP: addr}
	err := s.InTx(ctx, func(tx *gorm.DB) error {
		if err := s.lockNames(tx, "login email "+email, "login address "+addr); err != nil {
			return err
		}
		f.At = s.Now()
		wait, err := loginWait(tx, email, addr, f.At)
		if err != nil {
			return err
		}
		if wait > 0 {
			return &RateLimitError{RetryAfterSeconds: int(math.Ceil(wait.Seconds()))}
		}
		return tx.Create(&f).Error
	})
	return f.ID, err
}

// loginWait is how long until another attempt for email from addr is allowed (0 when
// it is allowed now).
func loginWait(tx *gorm.DB, email, addr string, now time.Time) (time.Duration, error) {
	recent := func() *gorm.DB {
		return tx.Model(&LoginFailure{}).Where("at > ?", now.Add(-LoginFailureWindow))
	}
	var wait time.Duration
	// A window's worth of failures: wait until the oldest that counts leaves the window.
	for _, lim := range []struct {
		q     *gorm.DB
		limit int
	}{
		{recent().Where("email = ? AND client_ip = ?", email, addr), LoginFailureLimit},
		{recent().Where("client_ip = ?", addr), LoginAddressLimit},
	} {
		var times []time.Time
		if err := lim.q.Order("at DESC").Limit(lim.limit).Pluck("at", &times).Error; err != nil {
			return 0, err
		}
		if len(times) == lim.limit {
			wait = max(wait, times[lim.limit-1].Add(LoginFailureWindow).Sub(now))
		}
	}
	// Many failures for the email from everywhere: a growing delay after the last one.
	var n int64
	if err := recent().Where("email = ?", email).Count(&n).Error; err != nil {
		return 0, err
	}
	if n >= LoginEmailLimit {
		var last time.Time
		if err := recent().Where("email = ?", email).Order("at DESC").Limit(1).Pluck("at", &last).Error; err != nil {
			return 0, err
		}
		delay := min(LoginMaxDelay, time.Second<<min(n-LoginEmailLimit, 6))
		wait = max(wait, last.Add(delay).Sub(now))
	}
	return wait, nil
}

// addressKey is what sign-in limits count an address as: the address itself, or for
// IPv6 its /64 network, since one subscriber is given a whole /64 and could otherwise
// try from a new address each time.
func addressKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	if a = a.Unmap(); a.Is4() {
		return a.String()
	}
	p, _ := a.Prefix(64)
	return p.String()
}

func tokenHash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func (s *Store) issueToken(ctx context.Context, userID int64, ttl time.Duration) (string, *Token, error) {
	raw := make([]byte, 32)
	_, _ = rand.Read(raw) // never fails: crypto/rand crashes the process instead
	secret := base64.RawURLEncoding.EncodeToString(raw)
	now := s.Now()
	tok := &Token{UserID: userID, Hash: tokenHash(secret), CreatedAt: now, ExpiresAt: now.Add(ttl)}
	if err := s.writeAlone(ctx, func(db *gorm.DB) error { return db.Create(tok).Error }); err != nil {
		return "", nil, err
	}
	return secret, tok, nil
}

// Authenticate finds the active user behind a live token. Every request asks it, so
// its one statement is scanned by hand rather than through gorm's reflection.
func (s *Store) Authenticate(ctx context.Context, secret string) (*User, error) {
	var u User
	err := s.DB(ctx).Raw(`SELECT u.id, u.email, u.name, u.role, u.organisation_id, u.password_hash, u.active, u.created_at, u.updated_at
		FROM users u JOIN tokens t ON t.user_id = u.id
		WHERE t.hash = ? AND t.revoked_at IS NULL AND t.expires_at > ? AND u.active = ?`, tokenHash(secret), s.Now(), true).Row().
		Scan(&u.ID, &u.Email, &u.Name, &u.Role, &u.OrganisationID, &u.PasswordHash, &u.Active, &u.CreatedAt, &u.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("token is unknown, expired or revoked: %w", ErrUnauthorized)
	}
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// Logout revokes one token.
func (s *Store) Logout(ctx context.Context, secret string) error {
	return s.writeAlone(ctx, func(db *gorm.DB) error {
		return db.Model(&Token{}).Where("hash = ? AND revoked_at IS NULL", tokenHash(secret)).Update("revoked_at", s.Now()).Error
	})
}

// ChangePassword checks the current password, sets the new one and revokes the user's
// other tokens (the one in use stays valid).
func (s *Store) ChangePassword(ctx context.Context, u *User, current, next, keepSecret string) error {
	var given Problems
	checkSecretGiven(&given, "current_password", current)
	checkSecretGiven(&given, "new_password", next)
	if err := given.Err(); err != nil {
		return err
	}
	if bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(current)) != nil {
		return Invalid("current_password", "is wrong")
	}
	var p Problems
	checkPassword(&p, "new_password", next)
	if err := p.Err(); err != nil {
		return err
	}
	h, err := s.HashPassword(next)
	if err != nil {
		return err
	}
	return s.InTx(ctx, func(tx *gorm.DB) error {
		if err := tx.Model(&User{}).Where("id = ?", u.ID).Updates(map[string]any{"password_hash": h, "updated_at": s.Now()}).Error; err != nil {
			return err
		}
		if err := s.revokeTokens(tx, u.ID, tokenHash(keepSecret)); err != nil {
			return err
		}
		return s.audit(tx, u, "change_password", "user", u.ID, map[string]any{"password": "changed"})
	})
}

// DeleteExpired removes expired tokens, old login failures and idempotency records older
// than a day, and reports how many rows went.
func (s *Store) DeleteExpired(ctx context.Context, now time.Time) (tokens, keys int64, err error) {
	err = s.InTx(ctx, func(tx *gorm.DB) error {
		res := tx.Where("expires_at < ? OR revoked_at < ?", now, now.Add(-24*time.Hour)).Delete(&Token{})
		if res.Error != nil {
			return res.Error
		}
		tokens = res.RowsAffected
		if err := tx.Where("at < ?", now.Add(-LoginFailureWindow)).Delete(&LoginFailure{}).Error; err != nil {
			return err
		}
		res = tx.Where("created_at < ?", now.Add(-IdempotencyTTL)).Delete(&IdempotencyKey{})
		keys = res.RowsAffected
		return res.Error
	})
	return tokens, keys, err
}

// GeneratePassword makes a random password for a new account.
func GeneratePassword() string { return rand.Text() }

// EnsureManager creates a manager account when there is none, with a generated password,
// and returns its email and password; created is false (and nothing is returned) when a
// manager already exists.
func (s *Store) EnsureManager(ctx context.Context, email string) (password string, created bool, err error) {
	var n int64
	if err := s.DB(ctx).Model(&User{}).Where("role = ?", RoleManager).Count(&n).Error; err != nil {
		return "", false, err
	}
	if n > 0 {
		return "", false, nil
	}
	password = GeneratePassword()
	_, err = s.CreateUser(ctx, nil, NewUser{Email: email, Name: "Manager", Role: RoleManager, Password: password})
	return password, err == nil, err
}
