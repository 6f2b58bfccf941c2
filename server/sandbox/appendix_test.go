package sandbox_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"altiup/server/sandbox/internal/gqltest"
)

// The operations of the API contract's appendix, as the service's own
// command-line client sends them, with the JSON types its answers must have
// (the client decodes them into Go types; another JSON type breaks it).

// jsonTypes maps a path in the answer's data (a "[]" element stands for
// every element of a list) to its type: string, int, float, bool, time (an
// RFC 3339 string), list, object, or enum:A|B|...; a trailing "?" allows null.
type jsonTypes map[string]string

// appendixState carries what earlier operations made to later ones.
type appendixState struct {
	pid, iid, emptyPID, removePID, importedPID, urlPID string
	loginCode, metaID, fileURL                         string
}

type appendixOp struct {
	name  string
	query string
	vars  func(*env, *appendixState) map[string]any
	types jsonTypes
	anon  bool // sent with the app key only
	// after checks what the answer means and records what later ones need.
	after func(t *testing.T, e *env, st *appendixState, data map[string]any)
}

var membershipStates = "enum:NA|ACTIVE|SUSPENDED|TRIAL|EXPIRED|STOPPED"

var appendixOps = []appendixOp{
	{
		name:  "startReconstructionWithError refused",
		query: `mutation ($id: ID!) { startReconstructionWithError(id: $id, options: {taskType: Native}) { error { code message } task { id taskType state startDate queueing } } }`,
		vars:  func(e *env, st *appendixState) map[string]any { return map[string]any{"id": st.emptyPID} },
		types: jsonTypes{"startReconstructionWithError.error.code": "int", "startReconstructionWithError.error.message": "string", "startReconstructionWithError.task": "object?"},
	},
	{
		name:  "startReconstructionWithError started",
		query: `mutation ($id: ID!) { startReconstructionWithError(id: $id, options: {taskType: Native}) { error { code message } task { id taskType state startDate queueing } } }`,
		vars:  func(e *env, st *appendixState) map[string]any { return map[string]any{"id": st.pid} },
		types: jsonTypes{"startReconstructionWithError.error": "object?", "startReconstructionWithError.task.id": "string", "startReconstructionWithError.task.taskType": "enum:Native|Dense|Sparse",
			"startReconstructionWithError.task.state": "string", "startReconstructionWithError.task.startDate": "time", "startReconstructionWithError.task.queueing": "int"},
	},
	{
		name:  "my.self",
		query: `{ my { self { email name username country balance freeGPQuota membershipState membership { state planName period startDate endDate memberGPQuota coinPerGP coinPriceDiscount assetStorage visibility coupon { value repeat validMonth } modelPerProject collaboratorQuota forceWatermark } modelUsage developer { status } stats { star project planet follower following } joined } } }`,
		types: jsonTypes{
			"my.self.email": "string", "my.self.name": "string", "my.self.username": "string", "my.self.country": "string?",
			"my.self.balance": "float", "my.self.freeGPQuota": "float", "my.self.membershipState": membershipStates,
			"my.self.membership.state": membershipStates, "my.self.membership.planName": "string", "my.self.membership.period": "int",
			"my.self.membership.startDate": "time", "my.self.membership.endDate": "time", "my.self.membership.memberGPQuota": "float",
			"my.self.membership.coinPerGP": "float", "my.self.membership.coinPriceDiscount": "float", "my.self.membership.assetStorage": "float",
			"my.self.membership.visibility": "list", "my.self.membership.visibility.[]": "string", "my.self.membership.coupon": "object?",
			"my.self.membership.modelPerProject": "int", "my.self.membership.collaboratorQuota": "int", "my.self.membership.forceWatermark": "bool",
			"my.self.modelUsage": "float", "my.self.developer.status": "enum:NA|UNDER_REVIEW|TRIAL|ACTIVE|INACTIVE|EXPIRED",
			"my.self.stats.star": "int", "my.self.stats.project": "int", "my.self.stats.planet": "int", "my.self.stats.follower": "int",
			"my.self.stats.following": "int", "my.self.joined": "time",
		},
		after: func(t *testing.T, e *env, st *appendixState, data map[string]any) {
			self := data["my"].(map[string]any)["self"].(map[string]any)
			if self["balance"] != json.Number("100") || self["freeGPQuota"] != json.Number("1.5") || self["membershipState"] != "ACTIVE" {
				t.Errorf("my.self = %v, want the demo account of the config", self)
			}
		},
	},
	{
		name:  "my.allProjects",
		query: `query ($first: Int, $last: Int, $before: String, $after: String, $search: String) { my { allProjects(first: $first, last: $last, before: $before, after: $after, search: $search) { totalCount pageInfo { hasPreviousPage hasNextPage startCursor endCursor } edges { node { id name isImported projectType numImage gigaPixel taskState date cloudPath { key } } } } } }`,
		vars:  func(e *env, st *appendixState) map[string]any { return map[string]any{"first": 2, "search": ""} },
		types: jsonTypes{
			"my.allProjects.totalCount": "int", "my.allProjects.pageInfo.hasPreviousPage": "bool", "my.allProjects.pageInfo.hasNextPage": "bool",
			"my.allProjects.pageInfo.startCursor": "string", "my.allProjects.pageInfo.endCursor": "string",
			"my.allProjects.edges": "list", "my.allProjects.edges.[].node.id": "string", "my.allProjects.edges.[].node.name": "string",
			"my.allProjects.edges.[].node.isImported": "bool", "my.allProjects.edges.[].node.projectType": "enum:free|pro",
			"my.allProjects.edges.[].node.numImage": "int", "my.allProjects.edges.[].node.gigaPixel": "float",
			"my.allProjects.edges.[].node.taskState": "string", "my.allProjects.edges.[].node.date": "time",
			"my.allProjects.edges.[].node.cloudPath": "list", "my.allProjects.edges.[].node.cloudPath.[].key": "string",
		},
	},
	{
		name:  "project.image with url",
		query: `query ($pid: ID!, $iid: ID!) { project(id: $pid) { image(id: $iid) { id state name filename error url } } }`,
		vars:  func(e *env, st *appendixState) map[string]any { return map[string]any{"pid": st.pid, "iid": st.iid} },
		types: jsonTypes{"project.image.id": "string", "project.image.state": "enum:Pending|Uploading|Uploaded|Processing|Ready|Invalid",
			"project.image.name": "string", "project.image.filename": "string", "project.image.error": "list", "project.image.url": "string"},
	},
	{
		name:  "stopReconstruction",
		query: `mutation ($id: ID!) { stopReconstruction(id: $id) { id taskType state startDate endDate } }`,
		vars:  func(e *env, st *appendixState) map[string]any { return map[string]any{"id": st.pid} },
		types: jsonTypes{"stopReconstruction.id": "string", "stopReconstruction.taskType": "enum:Native|Dense|Sparse", "stopReconstruction.state": "enum:Stopped",
			"stopReconstruction.startDate": "time", "stopReconstruction.endDate": "time"},
	},
	{
		name:  "reportProject",
		query: `mutation ($pid: ID!, $desc: String!) { reportProject(id: $pid, description: $desc) { id } }`,
		vars:  func(e *env, st *appendixState) map[string]any { return map[string]any{"pid": st.pid, "desc": "spam"} },
		types: jsonTypes{"reportProject.id": "string"},
	},
	{
		name:  "transferCoins",
		query: `mutation ($amount: Float!, $email: String!, $message: String) { transferCoins(amount: $amount, options: {email: $email, message: $message}) { error { message } result } }`,
		vars: func(e *env, st *appendixState) map[string]any {
			return map[string]any{"amount": 2.5, "email": "other@example.com", "message": "thanks"}
		},
		types: jsonTypes{"transferCoins.error": "object?", "transferCoins.result": "enum:Success"},
	},
	{
		name:  "transferProject",
		query: `mutation ($id: ID!, $email: String!, $message: String) { transferProject(id: $id, options: {email: $email, message: $message}) { error { message } result } }`,
		vars: func(e *env, st *appendixState) map[string]any {
			return map[string]any{"id": st.emptyPID, "email": "other@example.com", "message": "yours"}
		},
		types: jsonTypes{"transferProject.error": "object?", "transferProject.result": "enum:Success"},
	},
	{
		name:  "bank.moneyToCoins",
		query: `query ($money: Float, $currency: CURRENCY) { bank { moneyToCoins(money: $money, currency: $currency) } }`,
		vars:  func(e *env, st *appendixState) map[string]any { return map[string]any{"money": 7, "currency": "CNY"} },
		types: jsonTypes{"bank.moneyToCoins": "float"},
		anon:  true,
	},
	{
		name:  "bank.coinsToMoney",
		query: `query ($coins: Float, $currency: CURRENCY) { bank { coinsToMoney(coins: $coins, currency: $currency) } }`,
		vars:  func(e *env, st *appendixState) map[string]any { return map[string]any{"coins": 10, "currency": "USD"} },
		types: jsonTypes{"bank.coinsToMoney": "float"},
		anon:  true,
	},
	{
		name:  "PROJECT_ERROR_CODE values",
		query: `{ __type(name: "PROJECT_ERROR_CODE") { enumValues { name } } }`,
		types: jsonTypes{"__type.enumValues": "list", "__type.enumValues.[].name": "string"},
		anon:  true,
	},
	{
		name:  "support.errorCodeInfo",
		query: `query ($code: PROJECT_ERROR_CODE, $lang: LOCALE_TYPE) { support { errorCodeInfo(code: $code, lang: $lang) { code description solution } } }`,
		vars: func(e *env, st *appendixState) map[string]any {
			return map[string]any{"code": "TOO_FEW_IMAGES", "lang": "zh"}
		},
		types: jsonTypes{"support.errorCodeInfo.code": "enum:TOO_FEW_IMAGES", "support.errorCodeInfo.description": "string", "support.errorCodeInfo.solution": "string"},
		anon:  true,
	},
	{name: "versions", query: `{ versions { api } }`, types: jsonTypes{"versions.api": "string"}, anon: true},
	{name: "support.endpoints", query: `{ support { endpoints { api web } } }`, types: jsonTypes{"support.endpoints.api": "string", "support.endpoints.web": "string"}, anon: true},
	{
		name: "supportedCloud", query: `query ($kind: UPLOAD_TYPE) { support { supportedCloud(kind: $kind) } }`, anon: true,
		vars:  func(e *env, st *appendixState) map[string]any { return map[string]any{"kind": "meta"} },
		types: jsonTypes{"support.supportedCloud": "list", "support.supportedCloud.[]": "enum:S3|OSS|MINIO"},
	},
	{name: "hello", query: `{ hello }`, types: jsonTypes{"hello": "string"}},
	{
		name:  "getUserToken",
		query: `mutation ($email: String!, $password: String!) { getUserToken(email: $email, password: $password, fresh: false) }`,
		vars: func(e *env, st *appendixState) map[string]any {
			return map[string]any{"email": "demo@example.com", "password": demoPassword}
		},
		types: jsonTypes{"getUserToken": "string"},
		anon:  true,
	},
	{
		name:  "requestLoginCode",
		query: `mutation ($phone: String!) { requestLoginCode(phone: $phone) { error { code message } result } }`,
		vars:  func(e *env, st *appendixState) map[string]any { return map[string]any{"phone": demoPhone} },
		types: jsonTypes{"requestLoginCode.error": "object?", "requestLoginCode.result": "enum:Success"},
		anon:  true,
		after: func(t *testing.T, e *env, st *appendixState, _ map[string]any) {
			m := regexp.MustCompile(`code=(\d{6})`).FindStringSubmatch(e.logs.String())
			if m == nil {
				t.Fatalf("no login code in the log: %s", e.logs)
			}
			st.loginCode = m[1]
		},
	},
	{
		name:  "getUserTokenByLoginCode",
		query: `mutation ($phone: String!, $code: String!) { getUserTokenByLoginCode(phone: $phone, code: $code, fresh: false) }`,
		vars: func(e *env, st *appendixState) map[string]any {
			return map[string]any{"phone": demoPhone, "code": st.loginCode}
		},
		types: jsonTypes{"getUserTokenByLoginCode": "string"},
		anon:  true,
	},
	{
		name:  "setProfileFace",
		query: `mutation ($imgStr: String!) { setProfileFace(imgStr: $imgStr) }`,
		vars: func(e *env, st *appendixState) map[string]any {
			return map[string]any{"imgStr": dataURL(pngBytes(e.t, 8, 8))}
		},
		types: jsonTypes{"setProfileFace": "string"},
	},
	{
		name:  "uploadMetaFileS3",
		query: `mutation ($pid: ID!, $bucket: BucketS3!, $filename: String!) { uploadMetaFileS3(pid: $pid, bucket: $bucket, filename: $filename) { url file { id state name filename } } }`,
		vars: func(e *env, st *appendixState) map[string]any {
			return map[string]any{"pid": st.pid, "bucket": "Tokyo", "filename": "gcp.txt"}
		},
		types: fileTypes("uploadMetaFileS3"),
		after: func(t *testing.T, e *env, st *appendixState, data map[string]any) {
			st.metaID = data["uploadMetaFileS3"].(map[string]any)["file"].(map[string]any)["id"].(string)
			e.s3.put(e.s3.lastPresign().key, []byte("gcp 1 2 3\n"))
			waitFor(t, func() bool { return e.metaState(st.pid, st.metaID) == "Ready" })
		},
	},
	{
		name:  "uploadMetaFileMinio",
		query: `mutation ($pid: ID!, $bucket: BucketMinioMeta!, $filename: String!) { uploadMetaFileMinio(pid: $pid, bucket: $bucket, filename: $filename) { url file { id state name filename } } }`,
		vars: func(e *env, st *appendixState) map[string]any {
			return map[string]any{"pid": st.pid, "bucket": "Local", "filename": "pos.csv"}
		},
		types: fileTypes("uploadMetaFileMinio"),
	},
	{
		name:  "uploadMetaURL",
		query: `mutation ($pid: ID!, $url: String!, $filename: String, $checksum: String) { uploadMetaURL(pid: $pid, url: $url, filename: $filename, checksum: $checksum) { id state name filename } }`,
		vars: func(e *env, st *appendixState) map[string]any {
			return map[string]any{"pid": st.pid, "url": st.fileURL, "filename": "fetched.txt", "checksum": sha([]byte(servedFile))}
		},
		types: jsonTypes{"uploadMetaURL.id": "string", "uploadMetaURL.state": "string", "uploadMetaURL.name": "string", "uploadMetaURL.filename": "string"},
	},
	{
		name:  "project.hasMetaFile and metaFile",
		query: `query ($pid: ID!, $checksum: String!, $id: ID!) { project(id: $pid) { hasMetaFile(checksum: $checksum) { id state } metaFile(id: $id) { id state name filename filesize date checksum error } } }`,
		vars: func(e *env, st *appendixState) map[string]any {
			return map[string]any{"pid": st.pid, "checksum": sha([]byte("gcp 1 2 3\n")), "id": st.metaID}
		},
		types: jsonTypes{"project.hasMetaFile.id": "string", "project.hasMetaFile.state": "enum:Ready",
			"project.metaFile.id": "string", "project.metaFile.state": "enum:Ready", "project.metaFile.name": "string",
			"project.metaFile.filename": "string", "project.metaFile.filesize": "float", "project.metaFile.date": "time",
			"project.metaFile.checksum": "string", "project.metaFile.error": "list"},
	},
	{
		name:  "createProject imported",
		query: `mutation ($name: String!, $modelType: IMPORTED_MODEL_TYPE) { createProject(name: $name, type: free, imported: true, modelType: $modelType, visibility: public) { id } }`,
		vars: func(e *env, st *appendixState) map[string]any {
			return map[string]any{"name": "model", "modelType": "CAD"}
		},
		types: jsonTypes{"createProject.id": "string"},
		after: func(t *testing.T, e *env, st *appendixState, data map[string]any) {
			st.importedPID = data["createProject"].(map[string]any)["id"].(string)
		},
	},
	{
		name:  "uploadModelS3",
		query: `mutation ($id: ID!, $bucket: BucketS3Model!, $filename: String!) { uploadModelS3(id: $id, bucket: $bucket, filename: $filename) { url file { id state name filename } } }`,
		vars: func(e *env, st *appendixState) map[string]any {
			return map[string]any{"id": st.importedPID, "bucket": "Tokyo", "filename": "model.obj"}
		},
		types: fileTypes("uploadModelS3"),
		after: func(t *testing.T, e *env, st *appendixState, _ map[string]any) {
			e.s3.put(e.s3.lastPresign().key, []byte("v 0 0 0\n"))
		},
	},
	{
		name:  "uploadModelMinio",
		query: `mutation ($id: ID!, $bucket: BucketMinioModel!, $filename: String!) { uploadModelMinio(id: $id, bucket: $bucket, filename: $filename) { url file { id state name filename } } }`,
		vars: func(e *env, st *appendixState) map[string]any {
			return map[string]any{"id": st.importedPID, "bucket": "Local", "filename": "model.mtl"}
		},
		types: fileTypes("uploadModelMinio"),
		after: func(t *testing.T, e *env, st *appendixState, _ map[string]any) {
			e.s3.put(e.s3.lastPresign().key, []byte("newmtl a\n"))
		},
	},
	{
		name:  "doneModelUpload",
		query: `mutation ($pid: ID!, $merge: Boolean) { doneModelUpload(id: $pid, merge: $merge) { id importedState } }`,
		vars: func(e *env, st *appendixState) map[string]any {
			return map[string]any{"pid": st.importedPID, "merge": false}
		},
		types: jsonTypes{"doneModelUpload.id": "string", "doneModelUpload.importedState": "enum:Done"},
	},
	{
		name:  "uploadModelURL",
		query: `mutation ($pid: ID!, $url: String!, $filename: String, $checksum: String) { uploadModelURL(pid: $pid, url: $url, filename: $filename, checksum: $checksum) { id state name filename } }`,
		vars: func(e *env, st *appendixState) map[string]any {
			return map[string]any{"pid": st.importedPID, "url": st.fileURL, "filename": "more.obj", "checksum": sha([]byte(servedFile))}
		},
		types: jsonTypes{"uploadModelURL.id": "string", "uploadModelURL.state": "string", "uploadModelURL.name": "string", "uploadModelURL.filename": "string"},
	},
	{
		name:  "removeProject",
		query: `mutation ($id: ID!) { removeProject(id: $id) { id name isImported projectType numImage gigaPixel taskState date cloudPath { key } } }`,
		vars:  func(e *env, st *appendixState) map[string]any { return map[string]any{"id": st.removePID} },
		types: jsonTypes{"removeProject.id": "string", "removeProject.name": "string", "removeProject.isImported": "bool",
			"removeProject.projectType": "enum:free|pro", "removeProject.numImage": "int", "removeProject.gigaPixel": "float",
			"removeProject.taskState": "string", "removeProject.date": "time", "removeProject.cloudPath": "list", "removeProject.cloudPath.[].key": "string"},
	},
}

func fileTypes(op string) jsonTypes {
	return jsonTypes{op + ".url": "string", op + ".file.id": "string", op + ".file.state": "enum:Pending", op + ".file.name": "string", op + ".file.filename": "string"}
}

const servedFile = "served by a web server\n"

// TestAppendixOperations holds every operation of the appendix against the
// schema, then runs each against the sandbox and checks its answer's types.
func TestAppendixOperations(t *testing.T) {
	src, err := os.ReadFile("schema.graphql")
	if err != nil {
		t.Fatal(err)
	}
	schema, gerr := gqlparser.LoadSchema(&ast.Source{Name: "schema.graphql", Input: string(src)})
	if gerr != nil {
		t.Fatal(gerr)
	}
	for _, op := range appendixOps {
		if _, list := gqlparser.LoadQuery(schema, op.query); len(list) > 0 {
			t.Errorf("%s does not validate against the schema: %v", op.name, list)
		}
	}
	if t.Failed() {
		return
	}

	files := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, servedFile) }))
	defer files.Close()
	e := newEnv(t)
	st := &appendixState{fileURL: files.URL + "/f.txt", emptyPID: e.project("empty"), removePID: e.project("to remove")}
	st.pid = e.project("appendix")
	e.readyImages(st.pid, 3)
	all, err := gqltest.AllImages(ctx, e.demo, st.pid, nil, nil, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	st.iid = all.Project.AllImages.Edges[0].Node.Id
	e.readyImages(st.removePID, 1)

	for _, op := range appendixOps {
		t.Run(op.name, func(t *testing.T) {
			var vars map[string]any
			if op.vars != nil {
				vars = op.vars(e, st)
			}
			h := map[string]string{"key": appKey, "altitoken": demoToken}
			if op.anon {
				delete(h, "altitoken")
			}
			data := e.postTyped(t, op.query, vars, h)
			checkTypes(t, data, op.types)
			if op.after != nil {
				op.after(t, e, st, data)
			}
		})
	}
	if strings.Contains(e.logs.String(), demoToken) {
		t.Error("the log holds a user token")
	}
}
