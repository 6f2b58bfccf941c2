package altizure

import (
	"context"
	"strings"

	"altiup/wasm/upload"
)

// Account returns what the signed-in user may spend (my.self), or nil when
// the API knows no user for the token.
func (c *Client) Account(ctx context.Context) (*upload.Account, error) {
	resp, err := Account(ctx, c.gql)
	if err != nil || resp.My == nil {
		return nil, err
	}
	u := resp.My.Self
	return &upload.Account{
		Balance:     u.Balance,
		FreeGPQuota: u.FreeGPQuota,
		CoinPerGP:   u.Membership.CoinPerGP,
		Currency:    currencyOf(u.Country),
	}, nil
}

// CoinsToMoney prices coins in a currency (bank.coinsToMoney).
func (c *Client) CoinsToMoney(ctx context.Context, coins float64, currency string) (float64, error) {
	cur := CURRENCY(strings.ToUpper(strings.TrimSpace(currency)))
	if !validCurrency(cur) {
		return 0, upload.Errorf(upload.CodeInvalidInput, "The currency %q is not one the service prices in: use USD, CNY, HKD or EUR.", currency)
	}
	resp, err := CoinsToMoney(ctx, c.gql, coins, cur)
	if err != nil {
		return 0, err
	}
	return resp.Bank.CoinsToMoney, nil
}

// currencyOf is the currency a user of that country pays in: the API names
// none, and its price list has these four.
func currencyOf(country string) string {
	switch strings.ToUpper(strings.TrimSpace(country)) {
	case "CN", "CHINA":
		return string(CURRENCYCny)
	case "HK", "HONG KONG":
		return string(CURRENCYHkd)
	case "AT", "BE", "CY", "DE", "EE", "ES", "FI", "FR", "GR", "HR", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PT", "SI", "SK":
		return string(CURRENCYEur)
	}
	return ""
}

func validCurrency(c CURRENCY) bool {
	switch c {
	case CURRENCYUsd, CURRENCYCny, CURRENCYHkd, CURRENCYEur:
		return true
	}
	return false
}
