// Package auth authenticates requests the way Agno's AgentOS does, so the
// credentials that work against an AgentOS work here too.
//
// An Authenticator holds a static security key (AgentOS's OS_SECURITY_KEY), a
// JWT verification key (an HS256 secret, or an RSA or P-256 public key for
// RS256 or ES256), both, or neither. Its Middleware reads
// "Authorization: Bearer <token>" and stores a Principal in the request
// context, or answers 401 before any GraphQL runs.
//
// What a Principal may see and do follows AgentOS:
//   - With nothing configured, auth is disabled: every request is an anonymous
//     principal that sees every user's sessions and may do everything.
//   - The security key is a shared secret with the same full access.
//   - A JWT names a user (the "sub" claim unless configured otherwise) and sees
//     only that user's sessions, unless it carries the admin scope
//     (agent_os:admin unless configured otherwise), which sees everything.
//   - A JWT's scopes (sessions:read, sessions:write, sessions:delete) are
//     enforced per operation only when the token carries a scopes claim at
//     all; a token without one may do every operation on its own sessions.
//
// Resolvers call ForContext, scope queries to Principal.UserID unless
// Principal.CanSeeAll, and check each operation with Principal.Allows.
package auth

import (
	"bytes"
	"cmp"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Defaults for the Config fields left empty.
const (
	DefaultUserClaim   = "sub"
	DefaultScopesClaim = "scopes"
)

const (
	// minSecretBytes is the shortest HS256 secret accepted: RFC 7518 §3.2
	// requires a key at least as long as the hash output.
	minSecretBytes = 32
	minRSABits     = 2048
	maxLeeway      = 5 * time.Minute
)

// The errors of Authenticate. Their text is safe to show to clients; the
// errors Authenticate returns wrap them with details meant only for logs.
var (
	ErrMissingToken = errors.New("missing bearer token")
	ErrInvalidToken = errors.New("invalid token")
	ErrExpiredToken = errors.New("token has expired")
)

// Config says which credentials an Authenticator accepts. The zero Config
// disables authentication.
type Config struct {
	// SecurityKey, when set, is accepted as a bearer token with full access
	// (AgentOS's OS_SECURITY_KEY).
	SecurityKey string
	// JWTSecret, when set, verifies HS256 tokens; it must be at least 32 bytes.
	JWTSecret []byte
	// JWTPublicKeyPEM, when set, verifies tokens with the one algorithm the key
	// implies: RS256 for an RSA key of at least 2048 bits, ES256 for a P-256
	// key. It is a single "PUBLIC KEY" (PKIX) or "RSA PUBLIC KEY" (PKCS #1)
	// block. At most one of JWTSecret and JWTPublicKeyPEM may be set.
	JWTPublicKeyPEM []byte
	// Audience, when set, must be one of the token's "aud" values.
	Audience string
	// Issuer, when set, must equal the token's "iss".
	Issuer string
	// UserClaim names the claim holding the user id; default "sub".
	UserClaim string
	// ScopesClaim names the claim holding the scopes, a JSON array of strings
	// or a space-separated string; default "scopes". Without it, OAuth's
	// standard "scope" claim is read instead.
	ScopesClaim string
	// AdminScope is the scope that grants full access; default "agent_os:admin".
	AdminScope string
	// Leeway is the clock skew allowed when checking "exp" and "nbf"; at most
	// five minutes, default none.
	Leeway time.Duration
}

// Authenticator turns bearer tokens into Principals. It is safe for
// concurrent use.
type Authenticator struct {
	hasKey    bool
	keyDigest [sha256.Size]byte

	jwtKey      any         // nil when no JWT key is configured
	parser      *jwt.Parser // pinned to the one algorithm jwtKey implies
	userClaim   string
	scopesClaim string
	adminScope  string
}

// New returns an Authenticator for cfg, or an error if cfg is inconsistent:
// both JWT keys set, a key that cannot be used, Audience or Issuer without a
// JWT key, or a Leeway outside 0–5 minutes.
func New(cfg Config) (*Authenticator, error) {
	a := &Authenticator{
		userClaim:   cmp.Or(cfg.UserClaim, DefaultUserClaim),
		scopesClaim: cmp.Or(cfg.ScopesClaim, DefaultScopesClaim),
		adminScope:  cmp.Or(cfg.AdminScope, DefaultAdminScope),
	}
	if cfg.SecurityKey != "" {
		a.hasKey = true
		a.keyDigest = sha256.Sum256([]byte(cfg.SecurityKey))
	}
	alg, key, err := jwtKeyFromConfig(cfg)
	if err != nil {
		return nil, err
	}
	if key == nil {
		if cfg.Audience != "" || cfg.Issuer != "" {
			return nil, errors.New("auth: Audience and Issuer need JWTSecret or JWTPublicKeyPEM")
		}
		return a, nil
	}
	if cfg.Leeway < 0 || cfg.Leeway > maxLeeway {
		return nil, fmt.Errorf("auth: Leeway %s is outside 0–%s", cfg.Leeway, maxLeeway)
	}
	opts := []jwt.ParserOption{
		jwt.WithValidMethods([]string{alg}),
		// A token that never expires is as good as a static key; SecurityKey
		// is the place for one.
		jwt.WithExpirationRequired(),
		jwt.WithLeeway(cfg.Leeway),
	}
	if cfg.Audience != "" {
		opts = append(opts, jwt.WithAudience(cfg.Audience))
	}
	if cfg.Issuer != "" {
		opts = append(opts, jwt.WithIssuer(cfg.Issuer))
	}
	a.jwtKey = key
	a.parser = jwt.NewParser(opts...)
	return a, nil
}

// jwtKeyFromConfig returns the JWT algorithm and verification key cfg
// configures, or a nil key when it configures none.
func jwtKeyFromConfig(cfg Config) (alg string, key any, err error) {
	switch {
	case len(cfg.JWTSecret) > 0 && len(cfg.JWTPublicKeyPEM) > 0:
		return "", nil, errors.New("auth: set JWTSecret or JWTPublicKeyPEM, not both")
	case len(cfg.JWTSecret) > 0:
		if len(cfg.JWTSecret) < minSecretBytes {
			return "", nil, fmt.Errorf("auth: JWTSecret is %d bytes, HS256 needs at least %d", len(cfg.JWTSecret), minSecretBytes)
		}
		return jwt.SigningMethodHS256.Alg(), bytes.Clone(cfg.JWTSecret), nil
	case len(cfg.JWTPublicKeyPEM) > 0:
		return parsePublicKeyPEM(cfg.JWTPublicKeyPEM)
	}
	return "", nil, nil
}

// parsePublicKeyPEM returns the key in a single PEM block and the one
// algorithm it verifies.
func parsePublicKeyPEM(data []byte) (alg string, key any, err error) {
	block, rest := pem.Decode(data)
	if block == nil {
		return "", nil, errors.New("auth: JWTPublicKeyPEM holds no PEM block")
	}
	if len(bytes.TrimSpace(rest)) > 0 {
		return "", nil, errors.New("auth: JWTPublicKeyPEM holds more than one PEM block")
	}
	var pub any
	switch block.Type {
	case "PUBLIC KEY":
		pub, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		pub, err = x509.ParsePKCS1PublicKey(block.Bytes)
	default:
		return "", nil, fmt.Errorf("auth: JWTPublicKeyPEM is a %q block, want PUBLIC KEY or RSA PUBLIC KEY", block.Type)
	}
	if err != nil {
		return "", nil, fmt.Errorf("auth: JWTPublicKeyPEM: %w", err)
	}
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() < minRSABits {
			return "", nil, fmt.Errorf("auth: JWTPublicKeyPEM is a %d-bit RSA key, want at least %d", k.N.BitLen(), minRSABits)
		}
		return jwt.SigningMethodRS256.Alg(), k, nil
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() {
			return "", nil, fmt.Errorf("auth: JWTPublicKeyPEM is an ECDSA %s key, ES256 needs P-256", k.Curve.Params().Name)
		}
		return jwt.SigningMethodES256.Alg(), k, nil
	}
	return "", nil, fmt.Errorf("auth: JWTPublicKeyPEM is a %T, want an RSA or ECDSA P-256 key", pub)
}

// Enabled reports whether any credential is configured: without one,
// every caller is the anonymous admin.
func (a *Authenticator) Enabled() bool { return a.hasKey || a.jwtKey != nil }

// Authenticate returns the Principal a bearer token (without its "Bearer "
// prefix) stands for. With auth disabled, every token, even "", is the
// anonymous principal. Otherwise an empty token returns ErrMissingToken, an
// expired JWT ErrExpiredToken, and any other unacceptable token
// ErrInvalidToken, each possibly wrapped.
func (a *Authenticator) Authenticate(token string) (Principal, error) {
	switch {
	case !a.Enabled():
		return Principal{Method: MethodNone}, nil
	case token == "":
		return Principal{}, ErrMissingToken
	case a.hasKey && a.isSecurityKey(token):
		return Principal{Method: MethodSecurityKey}, nil
	case a.jwtKey == nil:
		return Principal{}, ErrInvalidToken
	}
	return a.parseJWT(token)
}

// isSecurityKey compares digests so that neither the key's bytes nor its
// length leak through timing.
func (a *Authenticator) isSecurityKey(token string) bool {
	digest := sha256.Sum256([]byte(token))
	return subtle.ConstantTimeCompare(digest[:], a.keyDigest[:]) == 1
}

func (a *Authenticator) parseJWT(token string) (Principal, error) {
	claims := jwt.MapClaims{}
	_, err := a.parser.ParseWithClaims(token, claims, func(*jwt.Token) (any, error) { return a.jwtKey, nil })
	if errors.Is(err, jwt.ErrTokenExpired) {
		return Principal{}, fmt.Errorf("%w: %w", ErrExpiredToken, err)
	}
	if err != nil {
		return Principal{}, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	scopes, present, err := scopesFrom(claims, a.scopesClaim)
	if err != nil {
		return Principal{}, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	userID, _ := claims[a.userClaim].(string)
	p := Principal{
		UserID:        userID,
		Admin:         slices.Contains(scopes, a.adminScope),
		Scopes:        scopes,
		ScopesPresent: present,
		Method:        MethodJWT,
	}
	if exp, err := claims.GetExpirationTime(); err == nil && exp != nil {
		p.Expires = exp.Time
	}
	switch {
	case isReservedPrincipal(userID):
		return Principal{}, fmt.Errorf("%w: %q claims a reserved identity", ErrInvalidToken, a.userClaim)
	case userID == "" && !p.Admin:
		return Principal{}, fmt.Errorf("%w: no %q claim", ErrInvalidToken, a.userClaim)
	}
	return p, nil
}

// scopesFrom reads the scopes of a token from the named claim, else from
// OAuth's "scope" (RFC 8693 §4.2). present reports whether either claim
// exists; a claim of any other shape is an error so that a malformed scope
// list never counts as "no scopes claim" and unlocks every operation.
func scopesFrom(claims jwt.MapClaims, name string) (scopes []string, present bool, err error) {
	value, ok := claims[name]
	if !ok {
		name = "scope"
		value, ok = claims[name]
	}
	if !ok {
		return nil, false, nil
	}
	switch v := value.(type) {
	case string:
		return strings.Fields(v), true, nil
	case []any:
		scopes = make([]string, 0, len(v))
		for _, s := range v {
			scope, ok := s.(string)
			if !ok {
				return nil, true, fmt.Errorf("%q claim holds a %T, want strings", name, s)
			}
			scopes = append(scopes, scope)
		}
		return scopes, true, nil
	}
	return nil, true, fmt.Errorf("%q claim is a %T, want a string or an array of strings", name, value)
}

// isReservedPrincipal reports whether a user id lies in a namespace Agno
// assigns to its own principals (service accounts "sa:…", the scheduler, MCP
// OAuth clients), which Agno refuses to let a JWT claim.
func isReservedPrincipal(userID string) bool {
	return strings.HasPrefix(userID, "sa:") || strings.HasPrefix(userID, "__oauth__:") || userID == "__scheduler__"
}
