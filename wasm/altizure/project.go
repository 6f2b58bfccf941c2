package altizure

import (
	"context"
	"strings"

	"altiup/wasm/upload"
)

// Project is a project as the page is shown it (JSON as the API names the
// fields).
type Project struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	NumImage  int    `json:"numImage"`
	TaskState string `json:"taskState"` // the latest task's state, or Idle
	Task      *Task  `json:"task"`      // the latest reconstruction task; nil when none
}

// Task is a reconstruction task with what the API says of its failure.
type Task struct {
	upload.Task
	Error string `json:"error,omitempty"` // why it failed; empty otherwise
}

// CreateProject makes a project of the caller's named name.
func (c *Client) CreateProject(ctx context.Context, name string) (*Project, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, upload.Errorf(upload.CodeInvalidInput, "The project needs a name.")
	}
	resp, err := CreateProject(ctx, c.gql, name)
	if err != nil {
		return nil, err
	}
	if resp.CreateProject == nil {
		return nil, &upload.Error{Code: upload.CodeAPI, Message: "The service did not create the project."}
	}
	return project(resp.CreateProject.ProjectFields), nil
}

// Project returns the caller's project id, or nil when there is none (or
// it is someone else's).
func (c *Client) Project(ctx context.Context, id string) (*Project, error) {
	resp, err := GetProject(ctx, c.gql, id)
	if err != nil || resp.Project == nil {
		return nil, err
	}
	return project(resp.Project.ProjectFields), nil
}

// Task returns the project's latest reconstruction task, or nil when it has
// none.
func (c *Client) Task(ctx context.Context, pid string) (*Task, error) {
	resp, err := ProjectTask(ctx, c.gql, pid)
	if err != nil {
		return nil, err
	}
	if resp.Project == nil {
		return nil, notFound("project")
	}
	if resp.Project.Task == nil {
		return nil, nil
	}
	return task(resp.Project.Task.TaskFields), nil
}

// ProjectTask returns project.task, or nil when the project has none.
func (c *Client) ProjectTask(ctx context.Context, pid string) (*upload.Task, error) {
	t, err := c.Task(ctx, pid)
	if t == nil {
		return nil, err
	}
	return &t.Task, nil
}

func project(f ProjectFields) *Project {
	p := &Project{ID: f.Id, Name: f.Name, NumImage: f.NumImage, TaskState: f.TaskState}
	if f.Task != nil {
		p.Task = task(f.Task.TaskFields)
	}
	return p
}

func task(f TaskFields) *Task {
	t := &Task{Task: upload.Task{ID: f.Id, TaskType: string(f.TaskType), State: f.State, StartDate: f.StartDate, Queueing: f.Queueing}}
	if f.Error != nil {
		t.Error = *f.Error
	}
	return t
}
