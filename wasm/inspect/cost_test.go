package inspect_test

import (
	"context"
	"errors"
	"testing"

	"altiup/wasm/inspect"
)

func TestPrice(t *testing.T) {
	acct := inspect.Account{Balance: 100, FreeGPQuota: 1.5, CoinPerGP: 20, Currency: "USD"}
	tests := []struct {
		name      string
		gp        float64
		coins     float64
		money     float64
		converted bool
	}{
		{"within the free quota", 1.2, 0, 0, false},
		{"over it", 4, 50, 5, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			called := false
			c, err := inspect.Price(context.Background(), tt.gp, acct, func(_ context.Context, coins float64, cur string) (float64, error) {
				called = true
				if cur != "USD" {
					t.Errorf("currency %q", cur)
				}
				return coins / 10, nil
			})
			if err != nil {
				t.Fatal(err)
			}
			want := inspect.Cost{Gigapixels: tt.gp, CoinPerGP: 20, Coins: tt.coins, FreeGPQuota: 1.5, Balance: 100, Money: tt.money, Currency: "USD"}
			if *c != want || called != tt.converted {
				t.Errorf("got %+v (converted %v), want %+v", *c, called, want)
			}
		})
	}
	broken := errors.New("bank closed")
	if _, err := inspect.Price(context.Background(), 4, acct, func(context.Context, float64, string) (float64, error) { return 0, broken }); !errors.Is(err, broken) {
		t.Errorf("got %v", err)
	}
}
