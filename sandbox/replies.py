"""Reply shapes and messages of the two upstream families (OAuth and live)."""

from django.http import JsonResponse

HOST_NAME = "sandbox-1"

OAUTH_ERRORS = {
    100200100: ("invalid_request", "缺少必要参数"),
    100200101: ("unauthorized_client", "应用不存在或已被禁用"),
    100200102: ("access_denied", "access_token 无效、已过期或已被撤销"),
    100200103: ("unsupported_response_type", "不支持的 response_type"),
    100200104: ("unsupported_grant_type", "不支持的 grant_type"),
    100200105: ("invalid_grant", "授权码或 refresh_token 无效、已使用或已过期"),
    100200106: ("invalid_scope", "授权范围无效或用户未授权"),
    100200107: ("invalid_openid", "open_id 无效"),
    100200500: ("server_error", "服务器内部错误，请稍后重试"),
}

LIVE_ERRORS = {
    200100: "app_id 错误",
    200102: "授权失败，access_token 无效、已过期或已被撤销",
    400001: "参数错误",
    400002: "接口调用频率超限",
    400003: "服务器错误",
    400005: "直播流不存在",
    400006: "该账号没有开播权限",
    400008: "该账号没有电商直播权限",
    400009: "非法的直播流名称",
    400013: "无权操作该直播",
    400014: "封面文件不合法",
    400020: "账号存在风险，请先完成人脸认证",
}


def oauth_ok(**fields) -> JsonResponse:
    """Answer an OAuth success: these endpoints use result 1, not 0."""
    return JsonResponse({"result": 1, **fields}, json_dumps_params={"ensure_ascii": False})


def oauth_error(result: int, detail: str = "") -> JsonResponse:
    """Answer an OAuth failure with its error name and a Chinese message."""
    error, message = OAUTH_ERRORS.get(result, ("server_error", "未知错误"))
    body = {"result": result, "error": error, "error_msg": f"{message}：{detail}" if detail else message}
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})


def live_ok(content: dict) -> JsonResponse:
    """Answer a live API success (result 0)."""
    body = {"result": 0, "content": content, "hostName": HOST_NAME}
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})


def live_error(result: int, detail: str = "", content: dict | None = None) -> JsonResponse:
    """Answer a live API failure; the platform still replies HTTP 200."""
    message = LIVE_ERRORS.get(result, "未知错误")
    body = {
        "result": result,
        "content": content,
        "hostName": HOST_NAME,
        "error_msg": f"{message}：{detail}" if detail else message,
    }
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})
