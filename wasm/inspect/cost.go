package inspect

import (
	"context"
	"fmt"
)

// Cost is what reconstructing the batch costs the signed-in user.
type Cost struct {
	Gigapixels  float64 `json:"gigapixels"`
	CoinPerGP   float64 `json:"coinPerGP"`
	Coins       float64 `json:"coins"`
	FreeGPQuota float64 `json:"freeGPQuota"`
	Balance     float64 `json:"balance"`
	Money       float64 `json:"money"`
	Currency    string  `json:"currency"`
}

// Account is what the service says of the user (my.self: balance,
// freeGPQuota and membership.coinPerGP) and the currency to price in.
type Account struct {
	Balance     float64 `json:"balance"`
	FreeGPQuota float64 `json:"freeGPQuota"`
	CoinPerGP   float64 `json:"coinPerGP"`
	Currency    string  `json:"currency"`
}

// CoinsToMoney converts coins to money in a currency (the service's
// bank.coinsToMoney).
type CoinsToMoney func(ctx context.Context, coins float64, currency string) (float64, error)

// Price prices gigapixels for the account: the free quota is used first, the
// rest costs CoinPerGP coins each,
//
//	coins = max(0, gigapixels − freeGPQuota) × coinPerGP,
//
// and money is those coins converted by toMoney (not called when they are 0).
func Price(ctx context.Context, gigapixels float64, a Account, toMoney CoinsToMoney) (*Cost, error) {
	c := &Cost{
		Gigapixels:  gigapixels,
		CoinPerGP:   a.CoinPerGP,
		Coins:       max(0, gigapixels-a.FreeGPQuota) * a.CoinPerGP,
		FreeGPQuota: a.FreeGPQuota,
		Balance:     a.Balance,
		Currency:    a.Currency,
	}
	if c.Coins > 0 {
		money, err := toMoney(ctx, c.Coins, a.Currency)
		if err != nil {
			return nil, fmt.Errorf("pricing %g coins in %s: %w", c.Coins, a.Currency, err)
		}
		c.Money = money
	}
	return c, nil
}
