package altizure

import (
	"context"
	"sync"

	"altiup/wasm/upload"
)

// ErrorCode is one of the service's project error codes explained in a
// language (support.errorCodeInfo).
type ErrorCode struct {
	Code        string `json:"code"`
	Description string `json:"description"`
	Solution    string `json:"solution"`
}

// ErrorCodes explains every PROJECT_ERROR_CODE the service lists, in lang
// (en or zh), in the enum's order. The service's ReconstructionError.code
// is a number whose name nothing documents, so a failure is explained by
// the whole list rather than by one code. The explanations are asked for
// at once, so the batcher sends them together; a code the service does
// not explain is left out.
func (c *Client) ErrorCodes(ctx context.Context, lang string) ([]ErrorCode, error) {
	loc := LOCALE_TYPE(lang)
	if loc != LOCALE_TYPEEn && loc != LOCALE_TYPEZh {
		return nil, upload.Errorf(upload.CodeInvalidInput, "The language of the error codes is en or zh, not %q.", lang)
	}
	resp, err := ProjectErrorCodes(ctx, c.gql)
	if err != nil {
		return nil, err
	}
	if resp.Type == nil {
		return nil, upload.Errorf(upload.CodeAPI, "The API does not list its project error codes.")
	}
	values := resp.Type.EnumValues
	found := make([]*ErrorCode, len(values))
	errs := make([]error, len(values))
	var wg sync.WaitGroup
	for i, v := range values {
		wg.Go(func() {
			r, err := ErrorCodeInfo(ctx, c.gql, PROJECT_ERROR_CODE(v.Name), loc)
			if err != nil {
				errs[i] = err
				return
			}
			if info := r.Support.ErrorCodeInfo; info != nil {
				found[i] = &ErrorCode{Code: string(info.Code), Description: info.Description, Solution: info.Solution}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	out := make([]ErrorCode, 0, len(found))
	for _, f := range found {
		if f != nil {
			out = append(out, *f)
		}
	}
	return out, nil
}
