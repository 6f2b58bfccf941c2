package sandbox

import "altiup/server/sandbox/internal/graph"

// projectError is one row of the table of reconstruction errors: the number
// ReconstructionError.code carries, its PROJECT_ERROR_CODE name, and what
// support.errorCodeInfo says about it in each language.
type projectError struct {
	code int
	name graph.ProjectErrorCode
	// text holds description and solution by LOCALE_TYPE value.
	text map[string][2]string
}

// The reconstruction errors (numbers documented in schema.graphql).
var (
	errProjectNotFound = &projectError{1001, graph.ProjectErrorCodeProjectNotFound, map[string][2]string{
		"en": {"The project does not exist, or it belongs to another user.", "Check the project id, and sign in as the project's owner."},
		"zh": {"项目不存在，或属于其他用户。", "请检查项目 ID，并以项目所有者身份登录。"},
	}}
	errTaskRunning = &projectError{1002, graph.ProjectErrorCodeTaskRunning, map[string][2]string{
		"en": {"A reconstruction of this project is already pending, queueing or processing.", "Wait for it to finish, or stop it with stopReconstruction, then start again."},
		"zh": {"该项目的重建任务已在等待、排队或处理中。", "请等待其完成，或用 stopReconstruction 停止后再重新开始。"},
	}}
	errImagesNotValidated = &projectError{1003, graph.ProjectErrorCodeImagesNotValidated, map[string][2]string{
		"en": {"Some images are still being uploaded or validated.", "Wait until every image is Ready or Invalid, or use preStartReconstruction to start as soon as they are."},
		"zh": {"部分照片仍在上传或校验中。", "请等待所有照片变为 Ready 或 Invalid，或使用 preStartReconstruction 在校验完成后自动开始。"},
	}}
	errNoReadyImage = &projectError{1004, graph.ProjectErrorCodeNoReadyImage, map[string][2]string{
		"en": {"The project has no Ready image to reconstruct from.", "Upload the photos, wait for them to be validated, and replace the Invalid ones."},
		"zh": {"项目中没有可用于重建的 Ready 照片。", "请上传照片并等待校验完成，替换无效（Invalid）的照片。"},
	}}
	errTooFewImages = &projectError{1005, graph.ProjectErrorCodeTooFewImages, map[string][2]string{
		"en": {"The project has fewer than 3 Ready images; a reconstruction needs at least 3.", "Upload more overlapping photos of the scene, or replace the Invalid ones."},
		"zh": {"项目中的 Ready 照片少于 3 张；重建至少需要 3 张。", "请上传更多相互重叠的照片，或替换无效（Invalid）的照片。"},
	}}
)

// projectErrors lists the table in code order.
var projectErrors = []*projectError{errProjectNotFound, errTaskRunning, errImagesNotValidated, errNoReadyImage, errTooFewImages}

// with makes the error a client sees, with a message about this case.
func (e *projectError) with(message string) *graph.ReconstructionError {
	return &graph.ReconstructionError{Code: e.code, Reason: e.name, Message: message}
}
