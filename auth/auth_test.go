package auth_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"sessiongraph/auth"
	"sessiongraph/httpserver"
)

const (
	testAudience = "sessiongraph"
	testIssuer   = "https://id.example.com"
	testKey      = "os-security-key-7f3a9c21d4e8b6"
)

var (
	testSecret  = []byte("0123456789abcdef0123456789abcdef")
	otherSecret = []byte("fedcba9876543210fedcba9876543210")
)

// The messages of the three 401s, and their exact bodies and challenges.
const (
	missing = "missing bearer token"
	invalid = "invalid token"
	expired = "token has expired"
)

var unauthenticated = map[string]struct{ body, challenge string }{
	missing: {`{"errors":[{"message":"missing bearer token","extensions":{"code":"UNAUTHENTICATED"}}]}` + "\n", `Bearer`},
	invalid: {`{"errors":[{"message":"invalid token","extensions":{"code":"UNAUTHENTICATED"}}]}` + "\n", `Bearer error="invalid_token"`},
	expired: {`{"errors":[{"message":"token has expired","extensions":{"code":"UNAUTHENTICATED"}}]}` + "\n", `Bearer error="invalid_token"`},
}

type testKeys struct {
	rsa, otherRSA *rsa.PrivateKey
	ec, otherEC   *ecdsa.PrivateKey
}

// keys generates the test keys once per test binary; RSA generation is slow.
var keys = sync.OnceValues(func() (testKeys, error) {
	var k testKeys
	var err error
	if k.rsa, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		return k, err
	}
	if k.otherRSA, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		return k, err
	}
	if k.ec, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
		return k, err
	}
	k.otherEC, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	return k, err
})

func mustKeys(t *testing.T) testKeys {
	t.Helper()
	k, err := keys()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func pemOf(t *testing.T, pub any) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

func mustNew(t *testing.T, cfg auth.Config) *auth.Authenticator {
	t.Helper()
	a, err := auth.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// removed marks a claim to drop from the base claims.
type removed struct{}

// claimsWith returns valid claims for alice, changed by changes.
func claimsWith(changes jwt.MapClaims) jwt.MapClaims {
	c := jwt.MapClaims{
		"sub": "alice",
		"aud": testAudience,
		"iss": testIssuer,
		"exp": time.Now().Add(time.Hour).Unix(),
	}
	for k, v := range changes {
		if _, ok := v.(removed); ok {
			delete(c, k)
			continue
		}
		c[k] = v
	}
	return c
}

func sign(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// serve sends a request through the middleware and returns the response and
// the principal the next handler saw, nil if it did not run.
func serve(a *auth.Authenticator, method, authorization string) (*httptest.ResponseRecorder, *auth.Principal) {
	var seen *auth.Principal
	web := httpserver.New(httpserver.Options{Auth: a, Logger: slog.New(slog.DiscardHandler)})
	h := web.Wrap(web.Authenticate(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := auth.ForContext(r.Context())
		seen = &p
		w.WriteHeader(http.StatusNoContent)
	})))
	req := httptest.NewRequest(method, "/graphql", nil)
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec, seen
}

func TestMiddleware(t *testing.T) {
	k := mustKeys(t)
	hs := mustNew(t, auth.Config{JWTSecret: testSecret, Audience: testAudience, Issuer: testIssuer, Leeway: 30 * time.Second})
	rs := mustNew(t, auth.Config{JWTPublicKeyPEM: pemOf(t, &k.rsa.PublicKey), Audience: testAudience, Issuer: testIssuer})
	es := mustNew(t, auth.Config{JWTPublicKeyPEM: pemOf(t, &k.ec.PublicKey), Audience: testAudience, Issuer: testIssuer})
	keyOnly := mustNew(t, auth.Config{SecurityKey: testKey})
	both := mustNew(t, auth.Config{SecurityKey: testKey, JWTSecret: testSecret, Audience: testAudience})
	custom := mustNew(t, auth.Config{JWTSecret: testSecret, UserClaim: "email", ScopesClaim: "permissions", AdminScope: "root"})
	disabled := mustNew(t, auth.Config{})

	hsToken := func(changes jwt.MapClaims) string {
		return sign(t, jwt.SigningMethodHS256, testSecret, claimsWith(changes))
	}
	bearer := func(token string) string { return "Bearer " + token }
	now := time.Now()

	alice := auth.Principal{UserID: "alice", Method: auth.MethodJWT}
	withScopes := func(p auth.Principal, scopes ...string) auth.Principal {
		p.Scopes, p.ScopesPresent = scopes, true
		return p
	}
	anonymous := auth.Principal{Method: auth.MethodNone}
	securityKey := auth.Principal{Method: auth.MethodSecurityKey}

	tests := []struct {
		name   string
		auth   *auth.Authenticator
		method string // POST when empty
		header string
		want   auth.Principal // the principal passed on, when reject is empty
		reject string         // the 401 message, if the request is refused
	}{
		{name: "a valid HS256 token is accepted", auth: hs, header: bearer(hsToken(nil)), want: alice},
		{name: "a valid RS256 token is accepted", auth: rs, header: bearer(sign(t, jwt.SigningMethodRS256, k.rsa, claimsWith(nil))), want: alice},
		{name: "a valid ES256 token is accepted", auth: es, header: bearer(sign(t, jwt.SigningMethodES256, k.ec, claimsWith(nil))), want: alice},
		{name: "the Bearer scheme is case-insensitive", auth: hs, header: "bearer " + hsToken(nil), want: alice},

		{name: "an HS256 token signed with the RSA public key is refused when RS256 is pinned", auth: rs,
			header: bearer(sign(t, jwt.SigningMethodHS256, pemOf(t, &k.rsa.PublicKey), claimsWith(nil))), reject: invalid},
		{name: "a PS256 token from the right RSA key is refused when RS256 is pinned", auth: rs,
			header: bearer(sign(t, jwt.SigningMethodPS256, k.rsa, claimsWith(nil))), reject: invalid},
		{name: "an RS256 token is refused when ES256 is pinned", auth: es,
			header: bearer(sign(t, jwt.SigningMethodRS256, k.rsa, claimsWith(nil))), reject: invalid},
		{name: "an HS512 token with the right secret is refused when HS256 is pinned", auth: hs,
			header: bearer(sign(t, jwt.SigningMethodHS512, testSecret, claimsWith(nil))), reject: invalid},
		{name: "an unsigned alg none token is refused by HS256", auth: hs,
			header: bearer(sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claimsWith(nil))), reject: invalid},
		{name: "an unsigned alg none token is refused by RS256", auth: rs,
			header: bearer(sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claimsWith(nil))), reject: invalid},

		{name: "an HS256 token signed with another secret is refused", auth: hs,
			header: bearer(sign(t, jwt.SigningMethodHS256, otherSecret, claimsWith(nil))), reject: invalid},
		{name: "an RS256 token signed with another key is refused", auth: rs,
			header: bearer(sign(t, jwt.SigningMethodRS256, k.otherRSA, claimsWith(nil))), reject: invalid},
		{name: "an ES256 token signed with another key is refused", auth: es,
			header: bearer(sign(t, jwt.SigningMethodES256, k.otherEC, claimsWith(nil))), reject: invalid},

		{name: "an expired token is refused as expired", auth: hs,
			header: bearer(hsToken(jwt.MapClaims{"exp": now.Add(-2 * time.Minute).Unix()})), reject: expired},
		{name: "a token expired within the leeway is accepted", auth: hs,
			header: bearer(hsToken(jwt.MapClaims{"exp": now.Add(-10 * time.Second).Unix()})), want: alice},
		{name: "a token expired seconds ago is refused without leeway", auth: rs,
			header: bearer(sign(t, jwt.SigningMethodRS256, k.rsa, claimsWith(jwt.MapClaims{"exp": now.Add(-10 * time.Second).Unix()}))), reject: expired},
		{name: "an expired token with a bad signature is refused as invalid, not expired", auth: hs,
			header: bearer(sign(t, jwt.SigningMethodHS256, otherSecret, claimsWith(jwt.MapClaims{"exp": now.Add(-time.Hour).Unix()}))), reject: invalid},
		{name: "a token without exp is refused", auth: hs, header: bearer(hsToken(jwt.MapClaims{"exp": removed{}})), reject: invalid},
		{name: "a token not valid yet is refused", auth: hs,
			header: bearer(hsToken(jwt.MapClaims{"nbf": now.Add(10 * time.Minute).Unix()})), reject: invalid},
		{name: "a token valid within the leeway is accepted", auth: hs,
			header: bearer(hsToken(jwt.MapClaims{"nbf": now.Add(10 * time.Second).Unix()})), want: alice},

		{name: "a token for another audience is refused", auth: hs, header: bearer(hsToken(jwt.MapClaims{"aud": "other-os"})), reject: invalid},
		{name: "a token without an audience is refused when one is configured", auth: hs, header: bearer(hsToken(jwt.MapClaims{"aud": removed{}})), reject: invalid},
		{name: "a token whose audience list includes ours is accepted", auth: hs,
			header: bearer(hsToken(jwt.MapClaims{"aud": []string{"other-os", testAudience}})), want: alice},
		{name: "a token from another issuer is refused", auth: hs, header: bearer(hsToken(jwt.MapClaims{"iss": "https://evil.example.com"})), reject: invalid},
		{name: "a token without an issuer is refused when one is configured", auth: hs, header: bearer(hsToken(jwt.MapClaims{"iss": removed{}})), reject: invalid},

		{name: "a token without a user claim is refused", auth: hs, header: bearer(hsToken(jwt.MapClaims{"sub": removed{}})), reject: invalid},
		{name: "a token with an empty user claim is refused", auth: hs, header: bearer(hsToken(jwt.MapClaims{"sub": ""})), reject: invalid},
		{name: "a token with a numeric user claim is refused", auth: hs, header: bearer(hsToken(jwt.MapClaims{"sub": 42})), reject: invalid},
		{name: "a token claiming an Agno service account is refused", auth: hs, header: bearer(hsToken(jwt.MapClaims{"sub": "sa:reporting"})), reject: invalid},
		{name: "a token claiming Agno's scheduler is refused", auth: hs, header: bearer(hsToken(jwt.MapClaims{"sub": "__scheduler__"})), reject: invalid},
		{name: "an admin token without a user claim is accepted as admin", auth: hs,
			header: bearer(hsToken(jwt.MapClaims{"sub": removed{}, "scopes": []string{auth.DefaultAdminScope}})),
			want:   auth.Principal{Admin: true, Scopes: []string{auth.DefaultAdminScope}, ScopesPresent: true, Method: auth.MethodJWT}},

		{name: "scopes given as a JSON array are read", auth: hs,
			header: bearer(hsToken(jwt.MapClaims{"scopes": []string{auth.ScopeSessionsRead, auth.ScopeSessionsWrite}})),
			want:   withScopes(alice, auth.ScopeSessionsRead, auth.ScopeSessionsWrite)},
		{name: "scopes given as a space-separated string are split", auth: hs,
			header: bearer(hsToken(jwt.MapClaims{"scopes": " sessions:read  sessions:delete "})),
			want:   withScopes(alice, auth.ScopeSessionsRead, auth.ScopeSessionsDelete)},
		{name: "the standard scope claim is read when the scopes claim is absent", auth: hs,
			header: bearer(hsToken(jwt.MapClaims{"scope": "sessions:read"})),
			want:   withScopes(alice, auth.ScopeSessionsRead)},
		{name: "the scopes claim wins over the standard scope claim", auth: hs,
			header: bearer(hsToken(jwt.MapClaims{"scopes": []string{auth.ScopeSessionsRead}, "scope": auth.DefaultAdminScope})),
			want:   withScopes(alice, auth.ScopeSessionsRead)},
		{name: "an empty scopes array is present and grants nothing", auth: hs,
			header: bearer(hsToken(jwt.MapClaims{"scopes": []string{}})), want: withScopes(alice, []string{}...)},
		{name: "the admin scope makes the token admin", auth: hs,
			header: bearer(hsToken(jwt.MapClaims{"scopes": auth.DefaultAdminScope})),
			want:   auth.Principal{UserID: "alice", Admin: true, Scopes: []string{auth.DefaultAdminScope}, ScopesPresent: true, Method: auth.MethodJWT}},
		{name: "a numeric scopes claim is refused", auth: hs, header: bearer(hsToken(jwt.MapClaims{"scopes": 7})), reject: invalid},
		{name: "a null scopes claim is refused", auth: hs, header: bearer(hsToken(jwt.MapClaims{"scopes": nil})), reject: invalid},
		{name: "a scopes array holding a number is refused", auth: hs,
			header: bearer(hsToken(jwt.MapClaims{"scopes": []any{auth.ScopeSessionsRead, 1}})), reject: invalid},

		{name: "a configured user claim and admin scope are honoured", auth: custom,
			header: bearer(hsToken(jwt.MapClaims{"email": "bob@example.com", "permissions": []string{"root"}})),
			want:   auth.Principal{UserID: "bob@example.com", Admin: true, Scopes: []string{"root"}, ScopesPresent: true, Method: auth.MethodJWT}},
		{name: "the default admin scope grants nothing special when another is configured", auth: custom,
			header: bearer(hsToken(jwt.MapClaims{"email": "bob@example.com", "permissions": []string{auth.DefaultAdminScope}})),
			want:   auth.Principal{UserID: "bob@example.com", Scopes: []string{auth.DefaultAdminScope}, ScopesPresent: true, Method: auth.MethodJWT}},
		{name: "sub does not stand in for a configured user claim", auth: custom, header: bearer(hsToken(nil)), reject: invalid},

		{name: "a request without an Authorization header is refused", auth: hs, reject: missing},
		{name: "a GET without an Authorization header is refused", auth: hs, method: http.MethodGet, reject: missing},
		{name: "the Basic scheme is refused as a missing bearer token", auth: keyOnly, header: "Basic " + testKey, reject: missing},
		{name: "a token without a scheme is refused as a missing bearer token", auth: keyOnly, header: testKey, reject: missing},
		{name: "a Bearer scheme without a token is refused as missing", auth: hs, header: "Bearer ", reject: missing},
		{name: "a garbage token is refused", auth: hs, header: bearer("not-a-jwt"), reject: invalid},
		{name: "a three-part garbage token is refused", auth: hs, header: bearer("a.b.c"), reject: invalid},

		{name: "the security key is accepted", auth: keyOnly, header: bearer(testKey), want: securityKey},
		{name: "a key differing in its last byte is refused", auth: keyOnly, header: bearer(testKey[:len(testKey)-1] + "7"), reject: invalid},
		{name: "a prefix of the key is refused", auth: keyOnly, header: bearer(testKey[:len(testKey)-1]), reject: invalid},
		{name: "the key with an extra byte is refused", auth: keyOnly, header: bearer(testKey + "x"), reject: invalid},
		{name: "a JWT is refused when only a security key is configured", auth: keyOnly, header: bearer(hsToken(nil)), reject: invalid},
		{name: "the security key is refused when only JWTs are configured", auth: hs, header: bearer(testKey), reject: invalid},
		{name: "with both configured the security key is accepted", auth: both, header: bearer(testKey), want: securityKey},
		{name: "with both configured a JWT is accepted", auth: both, header: bearer(hsToken(nil)), want: alice},
		{name: "with both configured an expired JWT is refused as expired", auth: both,
			header: bearer(hsToken(jwt.MapClaims{"exp": now.Add(-time.Hour).Unix()})), reject: expired},
		{name: "with both configured anything else is refused", auth: both, header: bearer("os-security-key-wrong"), reject: invalid},

		{name: "with auth disabled a request without credentials is anonymous", auth: disabled, want: anonymous},
		{name: "with auth disabled a garbage token is ignored", auth: disabled, header: bearer("not-a-jwt"), want: anonymous},
		{name: "a CORS preflight passes through without credentials and may do nothing", auth: hs, method: http.MethodOptions, want: auth.Principal{}},
		{name: "a CORS preflight passes through even with a bad token", auth: keyOnly, method: http.MethodOptions, header: bearer("wrong"), want: auth.Principal{}},
		{name: "with auth disabled a CORS preflight is anonymous", auth: disabled, method: http.MethodOptions, want: anonymous},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := tt.method
			if method == "" {
				method = http.MethodPost
			}
			rec, seen := serve(tt.auth, method, tt.header)
			if tt.reject != "" {
				if seen != nil {
					t.Errorf("the next handler ran with %+v", *seen)
				}
				assertUnauthenticated(t, rec, tt.reject)
				return
			}
			if rec.Code != http.StatusNoContent || seen == nil {
				t.Fatalf("status %d, body %q; want the next handler to run", rec.Code, rec.Body)
			}
			got := *seen
			if got.Method == auth.MethodJWT { // Expires is the token's exp
				claims := jwt.MapClaims{}
				_, token, _ := strings.Cut(tt.header, " ")
				if _, _, err := jwt.NewParser().ParseUnverified(token, claims); err != nil {
					t.Fatal(err)
				}
				if exp, _ := claims.GetExpirationTime(); exp == nil || !got.Expires.Equal(exp.Time) {
					t.Errorf("Expires = %v, want the token's exp %v", got.Expires, exp)
				}
				got.Expires = time.Time{}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("principal = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// assertUnauthenticated checks a 401 response byte for byte.
func assertUnauthenticated(t *testing.T, rec *httptest.ResponseRecorder, message string) {
	t.Helper()
	want := unauthenticated[message]
	if rec.Code != http.StatusUnauthorized {
		t.Errorf("status = %d, want 401", rec.Code)
	}
	for name, value := range map[string]string{
		"WWW-Authenticate": want.challenge,
		"Content-Type":     "application/json",
		"Cache-Control":    "no-store",
	} {
		if got := rec.Header().Values(name); len(got) != 1 || got[0] != value {
			t.Errorf("%s = %q, want [%q]", name, got, value)
		}
	}
	if got := rec.Body.String(); got != want.body {
		t.Errorf("body = %s, want %s", got, want.body)
	}
}

func TestAuthenticateErrors(t *testing.T) {
	a := mustNew(t, auth.Config{SecurityKey: testKey, JWTSecret: testSecret})
	expiredToken := sign(t, jwt.SigningMethodHS256, testSecret, claimsWith(jwt.MapClaims{"exp": time.Now().Add(-time.Hour).Unix()}))
	forged := sign(t, jwt.SigningMethodHS256, otherSecret, claimsWith(nil))
	tests := []struct {
		name  string
		token string
		want  error
	}{
		{"an empty token is missing", "", auth.ErrMissingToken},
		{"an expired token is expired", expiredToken, auth.ErrExpiredToken},
		{"a forged token is invalid", forged, auth.ErrInvalidToken},
		{"a wrong key is invalid", testKey + "x", auth.ErrInvalidToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := a.Authenticate(tt.token)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if tt.token != "" && strings.Contains(err.Error(), tt.token) {
				t.Errorf("the error %q quotes the token", err)
			}
			if strings.Contains(err.Error(), testKey) {
				t.Errorf("the error %q quotes the security key", err)
			}
		})
	}
}

func TestNew(t *testing.T) {
	k := mustKeys(t)
	smallRSA, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	edPub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	privateDER, err := x509.MarshalPKCS8PrivateKey(k.rsa)
	if err != nil {
		t.Fatal(err)
	}
	privatePEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: privateDER})
	rsaPEM := pemOf(t, &k.rsa.PublicKey)

	tests := []struct {
		name    string
		cfg     auth.Config
		wantErr string // a substring of the error; "" for success
	}{
		{name: "nothing configured disables auth", cfg: auth.Config{}},
		{name: "a security key alone is accepted", cfg: auth.Config{SecurityKey: testKey}},
		{name: "a 32-byte secret with every option is accepted",
			cfg: auth.Config{JWTSecret: testSecret, Audience: testAudience, Issuer: testIssuer, Leeway: 5 * time.Minute}},
		{name: "an ES256 public key is accepted", cfg: auth.Config{JWTPublicKeyPEM: pemOf(t, &k.ec.PublicKey)}},
		{name: "a secret shorter than 32 bytes is refused", cfg: auth.Config{JWTSecret: testSecret[:31]}, wantErr: "at least 32"},
		{name: "a secret and a public key together are refused", cfg: auth.Config{JWTSecret: testSecret, JWTPublicKeyPEM: rsaPEM}, wantErr: "not both"},
		{name: "text without a PEM block is refused", cfg: auth.Config{JWTPublicKeyPEM: []byte("not a key")}, wantErr: "no PEM block"},
		{name: "two PEM blocks are refused", cfg: auth.Config{JWTPublicKeyPEM: append(rsaPEM, rsaPEM...)}, wantErr: "more than one"},
		{name: "a private key is refused", cfg: auth.Config{JWTPublicKeyPEM: privatePEM}, wantErr: `"PRIVATE KEY" block`},
		{name: "a corrupt public key block is refused",
			cfg: auth.Config{JWTPublicKeyPEM: pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: []byte("junk")})}, wantErr: "JWTPublicKeyPEM: "},
		{name: "an RSA key under 2048 bits is refused", cfg: auth.Config{JWTPublicKeyPEM: pemOf(t, &smallRSA.PublicKey)}, wantErr: "1024-bit"},
		{name: "a P-384 key is refused", cfg: auth.Config{JWTPublicKeyPEM: pemOf(t, &p384.PublicKey)}, wantErr: "P-384"},
		{name: "an Ed25519 key is refused", cfg: auth.Config{JWTPublicKeyPEM: pemOf(t, edPub)}, wantErr: "ed25519"},
		{name: "an audience without a JWT key is refused", cfg: auth.Config{SecurityKey: testKey, Audience: testAudience}, wantErr: "Audience"},
		{name: "an issuer without a JWT key is refused", cfg: auth.Config{Issuer: testIssuer}, wantErr: "Issuer"},
		{name: "a negative leeway is refused", cfg: auth.Config{JWTSecret: testSecret, Leeway: -time.Second}, wantErr: "Leeway"},
		{name: "a leeway over five minutes is refused", cfg: auth.Config{JWTSecret: testSecret, Leeway: 6 * time.Minute}, wantErr: "Leeway"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := auth.New(tt.cfg)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("err = %v", err)
			case tt.wantErr == "" && a == nil:
				t.Fatal("New returned no Authenticator")
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("err = %v, want one mentioning %q", err, tt.wantErr)
			}
			if err != nil && len(tt.cfg.JWTSecret) > 0 && strings.Contains(err.Error(), string(tt.cfg.JWTSecret)) {
				t.Errorf("the error %q quotes the secret", err)
			}
		})
	}
}

func TestNewAcceptsPKCS1RSAPublicKey(t *testing.T) {
	k := mustKeys(t)
	pkcs1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&k.rsa.PublicKey)})
	a := mustNew(t, auth.Config{JWTPublicKeyPEM: pkcs1})
	p, err := a.Authenticate(sign(t, jwt.SigningMethodRS256, k.rsa, claimsWith(nil)))
	if err != nil || p.UserID != "alice" {
		t.Fatalf("Authenticate = %+v, %v; want alice", p, err)
	}
}

func TestPrincipalAllows(t *testing.T) {
	jwtWith := func(scopes ...string) auth.Principal {
		return auth.Principal{UserID: "alice", Method: auth.MethodJWT, Scopes: scopes, ScopesPresent: true}
	}
	all := []string{auth.ScopeSessionsRead, auth.ScopeSessionsWrite, auth.ScopeSessionsDelete}
	tests := []struct {
		name      string
		principal auth.Principal
		allowed   []string // of all; the rest must be denied
	}{
		{"auth disabled allows everything", auth.Principal{Method: auth.MethodNone}, all},
		{"the security key allows everything", auth.Principal{Method: auth.MethodSecurityKey}, all},
		{"a JWT without a scopes claim allows everything", auth.Principal{UserID: "alice", Method: auth.MethodJWT}, all},
		{"a JWT with sessions:read allows only reads", jwtWith(auth.ScopeSessionsRead), []string{auth.ScopeSessionsRead}},
		{"a JWT with write and delete allows no reads",
			jwtWith(auth.ScopeSessionsWrite, auth.ScopeSessionsDelete), []string{auth.ScopeSessionsWrite, auth.ScopeSessionsDelete}},
		{"a JWT with an empty scopes claim allows nothing", jwtWith(), nil},
		{"a JWT with only other resources' scopes allows nothing", jwtWith("agents:read", "memories:delete"), nil},
		{"a JWT with a wildcard resource scope allows that action", jwtWith("sessions:*:read"), []string{auth.ScopeSessionsRead}},
		{"a JWT with a specific resource scope does not allow the global action", jwtWith("sessions:s1:read"), nil},
		{"an admin JWT allows everything", auth.Principal{Admin: true, Method: auth.MethodJWT, Scopes: []string{auth.DefaultAdminScope}, ScopesPresent: true}, all},
		{"the zero principal allows nothing", auth.Principal{}, nil},
		{"the zero principal allows nothing even without scopes", auth.Principal{UserID: "alice"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, scope := range all {
				want := false
				for _, a := range tt.allowed {
					want = want || a == scope
				}
				if got := tt.principal.Allows(scope); got != want {
					t.Errorf("Allows(%q) = %v, want %v", scope, got, want)
				}
			}
		})
	}
}

func TestPrincipalCanSeeAll(t *testing.T) {
	tests := []struct {
		name      string
		principal auth.Principal
		want      bool
	}{
		{"auth disabled sees all", auth.Principal{Method: auth.MethodNone}, true},
		{"the security key sees all", auth.Principal{Method: auth.MethodSecurityKey}, true},
		{"an admin JWT sees all", auth.Principal{UserID: "alice", Admin: true, Method: auth.MethodJWT}, true},
		{"a JWT sees only its user's sessions", auth.Principal{UserID: "alice", Method: auth.MethodJWT}, false},
		{"a JWT with every sessions scope still sees only its user's sessions",
			auth.Principal{UserID: "alice", Method: auth.MethodJWT, Scopes: []string{auth.ScopeSessionsRead}, ScopesPresent: true}, false},
		{"the zero principal sees nothing beyond its empty user", auth.Principal{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.principal.CanSeeAll(); got != tt.want {
				t.Errorf("CanSeeAll() = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestForContext(t *testing.T) {
	t.Run("without a principal it is the principal of disabled auth", func(t *testing.T) {
		if got, want := auth.ForContext(context.Background()), (auth.Principal{Method: auth.MethodNone}); !reflect.DeepEqual(got, want) {
			t.Errorf("ForContext = %+v, want %+v", got, want)
		}
	})
	t.Run("it returns the principal stored by WithPrincipal", func(t *testing.T) {
		p := auth.Principal{UserID: "alice", Method: auth.MethodJWT, Scopes: []string{auth.ScopeSessionsRead}, ScopesPresent: true}
		if got := auth.ForContext(auth.WithPrincipal(context.Background(), p)); !reflect.DeepEqual(got, p) {
			t.Errorf("ForContext = %+v, want %+v", got, p)
		}
	})
	t.Run("the zero principal stored is not replaced by the disabled one", func(t *testing.T) {
		if got := auth.ForContext(auth.WithPrincipal(context.Background(), auth.Principal{})); !reflect.DeepEqual(got, auth.Principal{}) {
			t.Errorf("ForContext = %+v, want the zero Principal", got)
		}
	})
}
