package sandbox_test

import (
	"math"
	"testing"

	"altiup/server/sandbox/internal/gqltest"
)

func TestErrorCodeInfo(t *testing.T) {
	e := newEnv(t)
	codes, err := gqltest.EnumValues(ctx, e.anon, "PROJECT_ERROR_CODE")
	if err != nil || codes.Type == nil || len(codes.Type.EnumValues) == 0 {
		t.Fatalf("PROJECT_ERROR_CODE values: %+v, %v", codes, err)
	}
	for _, v := range codes.Type.EnumValues {
		code := gqltest.PROJECT_ERROR_CODE(v.Name)
		texts := map[gqltest.LOCALE_TYPE]string{}
		for _, lang := range []gqltest.LOCALE_TYPE{gqltest.LOCALE_TYPEEn, gqltest.LOCALE_TYPEZh} {
			r, err := gqltest.ErrorCodeInfo(ctx, e.anon, &code, &lang)
			if err != nil || r.Support.ErrorCodeInfo == nil {
				t.Fatalf("%s %s: %+v, %v", code, lang, r, err)
			}
			info := r.Support.ErrorCodeInfo
			if info.Code != code || info.Description == "" || info.Solution == "" {
				t.Errorf("%s %s: %+v", code, lang, info)
			}
			texts[lang] = info.Description
		}
		if texts[gqltest.LOCALE_TYPEEn] == texts[gqltest.LOCALE_TYPEZh] {
			t.Errorf("%s: the Chinese text is the English one", code)
		}
		// Without a language, English.
		r, _ := gqltest.ErrorCodeInfo(ctx, e.anon, &code, nil)
		if r.Support.ErrorCodeInfo.Description != texts[gqltest.LOCALE_TYPEEn] {
			t.Errorf("%s: default language is not English", code)
		}
	}
	if r, err := gqltest.ErrorCodeInfo(ctx, e.anon, nil, nil); err != nil || r.Support.ErrorCodeInfo != nil {
		t.Errorf("no code: %+v, %v", r, err)
	}
}

func TestMoneyToCoinsAndVersions(t *testing.T) {
	e := newEnv(t)
	cny := gqltest.CURRENCYCny
	r, err := gqltest.MoneyToCoins(ctx, e.anon, ptr(7.0), &cny)
	if err != nil || math.Abs(r.Bank.MoneyToCoins-10) > 1e-9 {
		t.Errorf("7 CNY = %+v coins, %v; want 10", r, err)
	}
	back, err := gqltest.CoinsToMoney(ctx, e.anon, ptr(r.Bank.MoneyToCoins), &cny)
	if err != nil || math.Abs(back.Bank.CoinsToMoney-7) > 1e-9 {
		t.Errorf("and back: %+v, %v", back, err)
	}
	if _, err := gqltest.MoneyToCoins(ctx, e.anon, ptr(-1.0), nil); err == nil {
		t.Error("negative money answered")
	}
	v, err := gqltest.Versions(ctx, e.anon)
	if err != nil || v.Versions.Api == "" {
		t.Errorf("versions = %+v, %v", v, err)
	}
}

func TestBank(t *testing.T) {
	e := newEnv(t)
	cny := gqltest.CURRENCYCny
	for _, c := range []struct {
		coins    *float64
		currency *gqltest.CURRENCY
		want     float64
	}{
		{ptr(100.0), nil, 10},
		{ptr(100.0), &cny, 70},
		{nil, nil, 0},
	} {
		r, err := gqltest.CoinsToMoney(ctx, e.anon, c.coins, c.currency)
		if err != nil || r.Bank.CoinsToMoney != c.want {
			t.Errorf("coinsToMoney(%v, %v) = %+v, %v; want %v", c.coins, c.currency, r, err, c.want)
		}
	}
}
