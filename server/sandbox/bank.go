package sandbox

import (
	"context"
	"math"

	"altiup/server/sandbox/internal/graph"
)

func (q queryResolver) Bank(ctx context.Context) (*graph.Bank, error) {
	return &graph.Bank{}, nil
}

type bankResolver struct{ s *Sandbox }

// coinPrices is what one coin costs in each currency.
var coinPrices = map[graph.Currency]float64{
	graph.CurrencyUsd: 0.10,
	graph.CurrencyCny: 0.70,
	graph.CurrencyHkd: 0.78,
	graph.CurrencyEur: 0.09,
}

// amount reads an optional amount and currency (default USD); it must be a
// finite number not below 0.
func amount(v *float64, currency *graph.Currency, what string) (float64, float64, error) {
	price := coinPrices[graph.CurrencyUsd]
	if currency != nil {
		price = coinPrices[*currency]
	}
	if v == nil {
		return 0, price, nil
	}
	if *v < 0 || math.IsNaN(*v) || math.IsInf(*v, 0) {
		return 0, 0, errorf(CodeBadInput, "%s must be a finite number, not negative", what)
	}
	return *v, price, nil
}

func (bankResolver) CoinsToMoney(ctx context.Context, _ *graph.Bank, coins *float64, currency *graph.Currency) (float64, error) {
	n, price, err := amount(coins, currency, "coins")
	return n * price, err
}

func (bankResolver) MoneyToCoins(ctx context.Context, _ *graph.Bank, money *float64, currency *graph.Currency) (float64, error) {
	n, price, err := amount(money, currency, "money")
	return n / price, err
}
