package sandbox

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"image"
	"math"
	"math/big"
	"strings"
	"time"

	"altiup/server/sandbox/internal/graph"
)

// Account is what my.self says about a user: the sandbox's choice of values,
// set in its configuration. Balance is where the user's coins start; later
// they move with transferCoins and live in the sandbox's state.
type Account struct {
	Country     string
	Balance     float64 // coins
	FreeGPQuota float64 // gigapixels reconstructed without paying
	Membership  Membership
	Joined      time.Time
}

// Membership is a user's plan (my.self.membership).
type Membership struct {
	State             string // a MEMBERSHIP_STATE value; "" is NA
	PlanName          string
	Period            int // months
	Start, End        time.Time
	MemberGPQuota     float64
	CoinPerGP         float64
	CoinPriceDiscount float64 // the fraction paid; 0 is taken as 1
	AssetStorage      float64 // MiB
	Visibility        []string
	ModelPerProject   int
	CollaboratorQuota int
	ForceWatermark    bool
}

// DemoPassword is the demo users' password for getUserToken.
const DemoPassword = "altiup-demo"

// DemoUsers are the sandbox's demo accounts: "demo" with the given token
// (the one the OAuth consent page hands out), and two more with random
// tokens, reached through getUserToken or a login code, so that transfers
// have a recipient.
func DemoUsers(demoToken string) []User {
	joined := time.Date(2024, 1, 15, 0, 0, 0, 0, time.UTC)
	pro := Membership{
		State: string(graph.MembershipStateActive), PlanName: "Pro", Period: 12,
		Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
		MemberGPQuota: 20, CoinPerGP: 8, CoinPriceDiscount: 0.9, AssetStorage: 10240,
		Visibility: []string{"public", "unlisted", "private"}, ModelPerProject: 10, CollaboratorQuota: 5,
	}
	free := Membership{
		State: string(graph.MembershipStateNa), PlanName: "Free", CoinPerGP: 10, CoinPriceDiscount: 1,
		AssetStorage: 1024, Visibility: []string{"public"}, ModelPerProject: 1, ForceWatermark: true,
	}
	return []User{
		{Token: demoToken, Username: "demo", Name: "Demo User", Email: "demo@example.com", Password: DemoPassword, Phone: "+10000000001",
			Account: Account{Country: "HK", Balance: 500, FreeGPQuota: 1, Membership: pro, Joined: joined}},
		{Token: randomHex(24), Username: "alice", Name: "Alice Example", Email: "alice@example.com", Password: DemoPassword, Phone: "+10000000002",
			Account: Account{Country: "CN", Balance: 120, FreeGPQuota: 0.5, Membership: free, Joined: joined.AddDate(0, 3, 0)}},
		{Token: randomHex(24), Username: "bob", Name: "Bob Example", Email: "bob@example.com", Password: DemoPassword, Phone: "+10000000003",
			Account: Account{Country: "FR", Balance: 0, FreeGPQuota: 0.5, Membership: free, Joined: joined.AddDate(1, 0, 0)}},
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// checkUnique refuses a user whose e-mail or phone another user has: both
// name a user for sign-in and transfers.
func (s *Sandbox) checkUnique(u *User) error {
	for _, o := range s.usersByName {
		switch {
		case u.Email != "" && strings.EqualFold(o.Email, u.Email):
			return fmt.Errorf("sandbox: users %q and %q share the e-mail %q", o.Username, u.Username, u.Email)
		case u.Phone != "" && o.Phone == u.Phone:
			return fmt.Errorf("sandbox: users %q and %q share the phone %q", o.Username, u.Username, u.Phone)
		}
	}
	return nil
}

func (s *Sandbox) userByEmail(email string) *User {
	email = strings.TrimSpace(email)
	for _, u := range s.usersByName {
		if email != "" && strings.EqualFold(u.Email, email) {
			return u
		}
	}
	return nil
}

func (q queryResolver) Hello(ctx context.Context) (string, error) {
	u, err := q.s.user(ctx)
	if err != nil {
		return "", err
	}
	return "Hello, " + u.Name, nil
}

type myResolver struct{ s *Sandbox }

func (r myResolver) Self(ctx context.Context, _ *graph.My) (*graph.User, error) {
	u, err := r.s.user(ctx)
	if err != nil {
		return nil, err
	}
	s := r.s
	s.mu.Lock()
	defer s.mu.Unlock()
	var projects int
	for _, p := range s.projects {
		if p.Owner == u.Username {
			projects++
		}
	}
	var modelBytes int64
	for _, f := range s.files {
		if f.Kind == kindModel && s.projects[f.PID].Owner == u.Username {
			modelBytes += f.Size
		}
	}
	a, m := u.Account, u.Account.Membership
	state := graph.MembershipState(m.State)
	if !state.IsValid() {
		state = graph.MembershipStateNa
	}
	discount := m.CoinPriceDiscount
	if discount == 0 {
		discount = 1
	}
	return &graph.User{
		Email: u.Email, Name: u.Name, Username: u.Username, Country: strPtr(a.Country),
		Balance:         s.balances[u.Username],
		FreeGPQuota:     a.FreeGPQuota,
		MembershipState: state,
		Membership: &graph.Membership{
			State: state, PlanName: m.PlanName, Period: m.Period, StartDate: utc(m.Start), EndDate: utc(m.End),
			MemberGPQuota: m.MemberGPQuota, CoinPerGp: m.CoinPerGP, CoinPriceDiscount: discount, AssetStorage: m.AssetStorage,
			Visibility: append([]string{}, m.Visibility...), ModelPerProject: m.ModelPerProject,
			CollaboratorQuota: m.CollaboratorQuota, ForceWatermark: m.ForceWatermark,
		},
		ModelUsage: float64(modelBytes) / (1 << 20),
		Developer:  &graph.Developer{Status: graph.DeveloperStatusNa},
		Stats:      &graph.UserStats{Project: projects},
		Joined:     utc(a.Joined),
	}, nil
}

// Operation error codes (OperationError.code, documented in the schema).
const (
	opNotFound            = 2001
	opSameUser            = 2002
	opInsufficientBalance = 2003
)

func opSuccess() *graph.OperationResult { return &graph.OperationResult{Result: "Success"} }

func opFail(code int, format string, args ...any) *graph.OperationResult {
	return &graph.OperationResult{Result: "Fail", Error: &graph.OperationError{Code: code, Message: fmt.Sprintf(format, args...)}}
}

func (m mutationResolver) GetUserToken(ctx context.Context, email, password string, _ *bool) (*string, error) {
	u := m.s.userByEmail(email)
	if u == nil || u.Password == "" || subtle.ConstantTimeCompare([]byte(u.Password), []byte(password)) != 1 {
		return nil, nil // null, as the service answers wrong credentials
	}
	return &u.Token, nil
}

// loginCode is a code requestLoginCode issued.
type loginCode struct {
	code    string
	expires time.Time
}

const loginCodeTTL = 10 * time.Minute

func (m mutationResolver) RequestLoginCode(ctx context.Context, phone string) (*graph.OperationResult, error) {
	s := m.s
	phone = strings.TrimSpace(phone)
	if phone == "" {
		return nil, errorf(CodeBadInput, "phone is empty")
	}
	var u *User
	for _, o := range s.usersByName {
		if o.Phone == phone {
			u = o
		}
	}
	if u == nil {
		return opFail(opNotFound, "no user has the verified phone %s", quote(phone)), nil
	}
	n, _ := rand.Int(rand.Reader, big.NewInt(1_000_000))
	code := fmt.Sprintf("%06d", n)
	s.mu.Lock()
	s.loginCodes[phone] = loginCode{code: code, expires: s.clock.Now().Add(loginCodeTTL)}
	s.mu.Unlock()
	// The sandbox sends no SMS: its log stands in for the phone.
	s.log.Info("sandbox: login code (in place of an SMS)", "phone", phone, "code", code)
	return opSuccess(), nil
}

func (m mutationResolver) GetUserTokenByLoginCode(ctx context.Context, phone, code string, _ *bool) (*string, error) {
	s := m.s
	phone = strings.TrimSpace(phone)
	s.mu.Lock()
	defer s.mu.Unlock()
	lc, ok := s.loginCodes[phone]
	if !ok || s.clock.Now().After(lc.expires) || subtle.ConstantTimeCompare([]byte(lc.code), []byte(strings.TrimSpace(code))) != 1 {
		return nil, nil
	}
	delete(s.loginCodes, phone) // used once
	for _, u := range s.usersByName {
		if u.Phone == phone {
			return &u.Token, nil
		}
	}
	return nil, nil
}

// maxFaceBytes bounds a profile picture.
const maxFaceBytes = 2 << 20

func (m mutationResolver) SetProfileFace(ctx context.Context, imgStr string) (string, error) {
	u, err := m.s.user(ctx)
	if err != nil {
		return "", err
	}
	data := imgStr
	if rest, ok := strings.CutPrefix(data, "data:"); ok {
		_, data, ok = strings.Cut(rest, ",")
		if !ok {
			return "", errorf(CodeBadInput, "imgStr is a data: URL without data")
		}
	}
	if base64.StdEncoding.DecodedLen(len(data)) > maxFaceBytes {
		return "", errorf(CodeBadInput, "the picture is larger than %d bytes", maxFaceBytes)
	}
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(data))
	if err != nil {
		return "", errorf(CodeBadInput, "imgStr is not base64: send a JPEG or PNG image as base64 or as a data: URL")
	}
	if _, format, err := image.DecodeConfig(bytes.NewReader(b)); err != nil || (format != "jpeg" && format != "png") {
		return "", errorf(CodeBadInput, "imgStr is not a JPEG or PNG image")
	}
	sum := sha1.Sum(b)
	s := m.s
	s.mu.Lock()
	s.faces[u.Username] = hex.EncodeToString(sum[:])
	s.changed()
	s.mu.Unlock()
	return "Success", nil
}

func (m mutationResolver) TransferCoins(ctx context.Context, amount float64, options graph.TransferInput) (*graph.OperationResult, error) {
	u, err := m.s.user(ctx)
	if err != nil {
		return nil, err
	}
	if math.IsNaN(amount) || math.IsInf(amount, 0) || amount <= 0 {
		return nil, errorf(CodeBadInput, "amount must be a positive number of coins")
	}
	s := m.s
	to := s.userByEmail(options.Email)
	switch {
	case to == nil:
		return opFail(opNotFound, "no user has the e-mail %s", quote(options.Email)), nil
	case to == u:
		return opFail(opSameUser, "coins cannot be transferred to yourself"), nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if have := s.balances[u.Username]; have < amount {
		return opFail(opInsufficientBalance, "the balance is %g coins, less than %g", have, amount), nil
	}
	s.balances[u.Username] -= amount
	s.balances[to.Username] += amount
	s.changed()
	return opSuccess(), nil
}
