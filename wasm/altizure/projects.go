package altizure

import (
	"context"
	"strings"
	"time"

	"altiup/wasm/upload"
)

// maxProjectsPage is the most projects one page of my.allProjects holds.
const maxProjectsPage = 500

// Listed is a project as the list to pick one from shows it.
type Listed struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	NumImage  int        `json:"numImage"`
	GigaPixel float64    `json:"gigaPixel"`
	TaskState string     `json:"taskState"`
	Date      *time.Time `json:"date"`
}

// ProjectPage is one page of the caller's projects.
type ProjectPage struct {
	TotalCount  int      `json:"totalCount"`
	HasNextPage bool     `json:"hasNextPage"`
	EndCursor   string   `json:"endCursor"` // "" when there is no next page
	Projects    []Listed `json:"projects"`
}

// ProjectQuery chooses a page of the caller's projects: Search keeps those
// whose name holds it, First (0: the API's default) is the page's size and
// After the cursor of the previous page's end.
type ProjectQuery struct {
	Search string `json:"search"`
	First  int    `json:"first"`
	After  string `json:"after"`
}

// Profile is the signed-in user as the page shows them: no token, no id.
type Profile struct {
	Email       string  `json:"email"`
	Name        string  `json:"name"`
	Balance     float64 `json:"balance"`
	FreeGPQuota float64 `json:"freeGPQuota"`
	CoinPerGP   float64 `json:"coinPerGP"`
	PlanName    string  `json:"planName"`
}

// Projects returns a page of the caller's projects, newest first.
func (c *Client) Projects(ctx context.Context, q ProjectQuery) (*ProjectPage, error) {
	if q.First < 0 || q.First > maxProjectsPage {
		return nil, upload.Errorf(upload.CodeInvalidInput, "first must be between 1 and %d projects.", maxProjectsPage)
	}
	resp, err := Projects(ctx, c.gql, optional(strings.TrimSpace(q.Search)), optional(q.First), optional(q.After))
	if err != nil {
		return nil, err
	}
	if resp.My == nil {
		return nil, &upload.Error{Code: upload.CodeUnauthorized, Message: "The service knows no user for this token."}
	}
	conn := resp.My.AllProjects
	page := &ProjectPage{TotalCount: conn.TotalCount, HasNextPage: conn.PageInfo.HasNextPage, Projects: make([]Listed, 0, len(conn.Edges))}
	if conn.PageInfo.HasNextPage && conn.PageInfo.EndCursor != nil {
		page.EndCursor = *conn.PageInfo.EndCursor
	}
	for _, e := range conn.Edges {
		n := e.Node
		page.Projects = append(page.Projects, Listed{ID: n.Id, Name: n.Name, NumImage: n.NumImage, GigaPixel: n.GigaPixel, TaskState: n.TaskState, Date: n.Date})
	}
	return page, nil
}

// Profile returns the signed-in user (my.self).
func (c *Client) Profile(ctx context.Context) (*Profile, error) {
	resp, err := Self(ctx, c.gql)
	if err != nil {
		return nil, err
	}
	if resp.My == nil {
		return nil, &upload.Error{Code: upload.CodeUnauthorized, Message: "The service knows no user for this token."}
	}
	u := resp.My.Self
	return &Profile{Email: u.Email, Name: u.Name, Balance: u.Balance, FreeGPQuota: u.FreeGPQuota,
		CoinPerGP: u.Membership.CoinPerGP, PlanName: u.Membership.PlanName}, nil
}

// StopReconstruction stops the project's running reconstruction and
// returns the task as it now is.
func (c *Client) StopReconstruction(ctx context.Context, id string) (*Task, error) {
	id = strings.TrimSpace(id)
	if id == "" {
		return nil, upload.Errorf(upload.CodeInvalidInput, "stopReconstruction takes the project's id.")
	}
	resp, err := StopReconstruction(ctx, c.gql, id)
	if err != nil {
		return nil, err
	}
	if resp.StopReconstruction == nil {
		return nil, &upload.Error{Code: upload.CodeAPI, Message: "The service did not say which task it stopped."}
	}
	return task(resp.StopReconstruction.TaskFields), nil
}

// optional is nil for the zero value, so that the variable is left out.
func optional[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}
