package sandbox_test

import (
	"encoding/base64"
	"regexp"
	"strings"
	"testing"

	"github.com/Khan/genqlient/graphql"

	"altiup/server/sandbox"
	"altiup/server/sandbox/internal/gqltest"
)

func dataURL(b []byte) string {
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(b)
}

func TestMySelf(t *testing.T) {
	e := newEnv(t)
	e.project("one")
	me, err := gqltest.Me(ctx, e.demo)
	if err != nil {
		t.Fatal(err)
	}
	self := me.My.Self
	if self.Balance != 100 || self.FreeGPQuota != 1.5 || self.MembershipState != gqltest.MEMBERSHIP_STATEActive ||
		self.Membership.CoinPerGP != 8 || self.Membership.PlanName != "Pro" || self.Stats.Project != 1 || self.Joined == nil || *self.Country != "HK" {
		t.Errorf("demo = %+v", self)
	}
	other, err := gqltest.Me(ctx, e.other)
	if err != nil {
		t.Fatal(err)
	}
	if o := other.My.Self; o.Balance != 5 || o.MembershipState != gqltest.MEMBERSHIP_STATENa || o.Stats.Project != 0 || o.Membership.Visibility == nil {
		t.Errorf("other = %+v", o)
	}
	if _, err := gqltest.Me(ctx, e.anon); err == nil {
		t.Error("my.self without a token answered")
	}
	h, err := gqltest.Hello(ctx, e.demo)
	if err != nil || !strings.Contains(h.Hello, "Demo User") {
		t.Errorf("hello = %+v, %v", h, err)
	}
}

func TestSignIn(t *testing.T) {
	e := newEnv(t)
	tok, err := gqltest.GetUserToken(ctx, e.anon, "DEMO@example.com", demoPassword)
	if err != nil || tok.GetUserToken == nil || *tok.GetUserToken != demoToken {
		t.Errorf("getUserToken = %+v, %v", tok, err)
	}
	for _, bad := range [][2]string{{"demo@example.com", "wrong"}, {"nobody@example.com", demoPassword}, {"other@example.com", ""}} {
		tok, err := gqltest.GetUserToken(ctx, e.anon, bad[0], bad[1])
		if err != nil || tok.GetUserToken != nil {
			t.Errorf("getUserToken(%q, %q) = %+v, %v; want null", bad[0], bad[1], tok, err)
		}
	}

	r, err := gqltest.RequestLoginCode(ctx, e.anon, "+0000")
	if err != nil || r.RequestLoginCode.Result != "Fail" || r.RequestLoginCode.Error == nil || r.RequestLoginCode.Error.Code != 2001 {
		t.Errorf("unknown phone: %+v, %v", r, err)
	}
	if r, err = gqltest.RequestLoginCode(ctx, e.anon, demoPhone); err != nil || r.RequestLoginCode.Result != "Success" {
		t.Fatalf("requestLoginCode = %+v, %v", r, err)
	}
	m := regexp.MustCompile(`code=(\d{6})`).FindStringSubmatch(e.logs.String())
	if m == nil {
		t.Fatalf("no code in the log: %s", e.logs)
	}
	if tok, _ := gqltest.GetUserTokenByLoginCode(ctx, e.anon, "+8613800000002", m[1]); tok.GetUserTokenByLoginCode != nil {
		t.Error("another phone's code signed in")
	}
	tok2, err := gqltest.GetUserTokenByLoginCode(ctx, e.anon, demoPhone, m[1])
	if err != nil || tok2.GetUserTokenByLoginCode == nil || *tok2.GetUserTokenByLoginCode != demoToken {
		t.Errorf("getUserTokenByLoginCode = %+v, %v", tok2, err)
	}
	if again, _ := gqltest.GetUserTokenByLoginCode(ctx, e.anon, demoPhone, m[1]); again.GetUserTokenByLoginCode != nil {
		t.Error("a login code worked twice")
	}
	// An expired code does not work.
	gqltest.RequestLoginCode(ctx, e.anon, demoPhone)
	codes := regexp.MustCompile(`code=(\d{6})`).FindAllStringSubmatch(e.logs.String(), -1)
	e.clock.Advance(11 * 60e9)
	if late, _ := gqltest.GetUserTokenByLoginCode(ctx, e.anon, demoPhone, codes[len(codes)-1][1]); late.GetUserTokenByLoginCode != nil {
		t.Error("an expired login code worked")
	}
	if strings.Contains(e.logs.String(), demoToken) {
		t.Error("the log holds a user token")
	}
}

func TestTransferCoins(t *testing.T) {
	e := newEnv(t)
	balance := func(c graphql.Client) float64 {
		t.Helper()
		me, err := gqltest.Me(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		return me.My.Self.Balance
	}
	r, err := gqltest.TransferCoins(ctx, e.demo, 30, "other@example.com")
	if err != nil || r.TransferCoins.Result != "Success" || r.TransferCoins.Error != nil {
		t.Fatalf("transferCoins = %+v, %v", r, err)
	}
	if b, o := balance(e.demo), balance(e.other); b != 70 || o != 35 {
		t.Errorf("balances %g and %g, want 70 and 35", b, o)
	}
	for _, c := range []struct {
		amount float64
		email  string
		code   int
	}{{71, "other@example.com", 2003}, {1, "demo@example.com", 2002}, {1, "nobody@example.com", 2001}} {
		r, err := gqltest.TransferCoins(ctx, e.demo, c.amount, c.email)
		if err != nil || r.TransferCoins.Result != "Fail" || r.TransferCoins.Error == nil || r.TransferCoins.Error.Code != c.code {
			t.Errorf("transferCoins(%g, %s) = %+v, %v; want code %d", c.amount, c.email, r, err, c.code)
		}
	}
	before := e.snapshot()
	if _, err := gqltest.TransferCoins(ctx, e.demo, -5, "other@example.com"); err == nil {
		t.Error("a negative transfer was accepted")
	}
	if b := balance(e.demo); b != 70 || e.snapshot() != before {
		t.Errorf("refused transfers changed the balance to %g", b)
	}
}

func TestSetProfileFace(t *testing.T) {
	e := newEnv(t)
	for _, good := range []string{dataURL(pngBytes(t, 4, 4)), base64.StdEncoding.EncodeToString(jpegBytes(t, 4, 4))} {
		if r, err := gqltest.SetProfileFace(ctx, e.demo, good); err != nil || r.SetProfileFace != "Success" {
			t.Errorf("setProfileFace = %+v, %v", r, err)
		}
	}
	for _, bad := range []string{"", "data:image/png;base64", "not base64!", base64.StdEncoding.EncodeToString([]byte("text"))} {
		if _, err := gqltest.SetProfileFace(ctx, e.demo, bad); err == nil {
			t.Errorf("setProfileFace(%q) was accepted", bad)
		}
	}
}

func TestDemoUsers(t *testing.T) {
	users := sandbox.DemoUsers("tok")
	if len(users) < 2 || users[0].Token != "tok" || users[0].Password == "" || users[0].Phone == "" {
		t.Fatalf("demo users = %+v", users)
	}
	e := newEnv(t, func(c *sandbox.Config) { c.Users = users })
	if _, err := sandbox.New(sandbox.Config{AppKey: "k", Users: append(users, sandbox.User{Token: "x", Username: "x", Email: users[1].Email})}); err == nil {
		t.Error("two users with one e-mail were accepted")
	}
	r, err := gqltest.TransferCoins(ctx, e.client(map[string]string{"key": appKey, "altitoken": "tok"}), 1, users[1].Email)
	if err != nil || r.TransferCoins.Result != "Success" {
		t.Errorf("transfer between demo users = %+v, %v", r, err)
	}
}
