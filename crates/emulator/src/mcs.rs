//! The Media Content Service: uploads, media records, temporary content URLs, the batch
//! `MediaSet` lookup. Plain HTTP on the emulator's port, authenticated by `X-Twilio-Token`,
//! with CORS so a page on another origin can upload and download.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::{
    body::{Body, Bytes},
    extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Query, Request, State},
    http::{header, HeaderMap, HeaderValue, Method, StatusCode},
    middleware,
    response::{IntoResponse, Response},
    routing::{get, post},
    Json, Router,
};
use convo_wire::TwilioError;
use serde::Deserialize;
use serde_json::{json, Value};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::{
    ids::{now_millis, sid},
    routing::{bad_request, forbidden, not_found},
    state::AppState,
    world::{Media, World},
    EmulatorConfig,
};

/// A Twilio error as an HTTP response.
struct ApiError(TwilioError);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, Json(self.0)).into_response()
    }
}

impl From<TwilioError> for ApiError {
    fn from(error: TwilioError) -> Self {
        ApiError(error)
    }
}

type ApiResult<T> = Result<T, ApiError>;

/// How long one upload may take: 150 MB at about 2 Mbit/s. Longer than the request timeout
/// the other routes have, which a large file on a slow link would exceed.
const UPLOAD_TIMEOUT: Duration = Duration::from_secs(600);

/// Records, temporary content and `MediaSet` (the caller adds the request timeout).
pub(crate) fn router(config: &EmulatorConfig) -> Router<AppState> {
    Router::new()
        .route("/v1/Services/{service}/Media/{media}", get(record))
        .route("/v1/Services/{service}/Media/{media}/Content", get(content))
        .route("/v1/Services/{service}/MediaSet", post(media_set))
        .layer(DefaultBodyLimit::max(config.max_frame_bytes))
        .layer(cors())
}

/// Uploads, under their own, longer timeout.
pub(crate) fn upload_router(config: &EmulatorConfig) -> Router<AppState> {
    Router::new()
        .route("/v1/Services/{service}/Media", post(upload))
        // Room for the multipart envelope around a file of the largest allowed size.
        .layer(DefaultBodyLimit::max(config.limits.media_bytes + 64 * 1024))
        .layer(middleware::from_fn(|request, next| {
            crate::server::request_timeout(UPLOAD_TIMEOUT, request, next)
        }))
        .layer(cors())
}

fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::mirror_request())
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE, header::HeaderName::from_static("x-twilio-token")])
        .max_age(Duration::from_secs(600))
}

/// The identity of a valid `X-Twilio-Token`, checked exactly as twilsock checks `init`.
fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<String, TwilioError> {
    let token = headers
        .get("x-twilio-token")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| TwilioError::new(401, 20101, "X-Twilio-Token header is required"))?;
    crate::auth::verify_token(&state.config().credentials, token, unix_now())
        .map(|(identity, _)| identity)
}

fn check_service(world: &World, service: &str) -> Result<(), TwilioError> {
    if service == world.service_sid() {
        Ok(())
    } else {
        Err(not_found(format!("/v1/Services/{service}")))
    }
}

#[derive(Debug, Deserialize)]
struct UploadQuery {
    #[serde(rename = "Category")]
    category: Option<String>,
    #[serde(rename = "Filename")]
    filename: Option<String>,
}

async fn upload(
    State(state): State<AppState>,
    Path(service): Path<String>,
    Query(query): Query<UploadQuery>,
    request: Request,
) -> ApiResult<Response> {
    let identity = authenticate(&state, request.headers())?;
    check_service(&state.world(), &service)?;
    let limit = state.config().limits.media_bytes;
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    // Refuse before reading when the declared size is already over the limit.
    if declared.is_some_and(|n| n > limit + 64 * 1024) {
        return Err(too_large(limit).into());
    }
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/octet-stream")
        .to_owned();
    let (bytes, content_type, filename) = if content_type.starts_with("multipart/form-data") {
        let mut form = Multipart::from_request(request, &state)
            .await
            .map_err(|e| bad_request(e.to_string()))?;
        let field = form
            .next_field()
            .await
            .map_err(|e| bad_request(e.to_string()))?
            .ok_or_else(|| bad_request("the form has no file part"))?;
        let filename = field.file_name().map(str::to_owned).or(query.filename.clone());
        let part_type = field.content_type().unwrap_or("application/octet-stream").to_owned();
        let bytes = field.bytes().await.map_err(|e| upload_error(&e.to_string(), limit))?;
        (bytes, part_type, filename)
    } else {
        let bytes = Bytes::from_request(request, &state)
            .await
            .map_err(|e| upload_error(&e.to_string(), limit))?;
        (bytes, content_type, query.filename.clone())
    };
    if bytes.len() > limit {
        return Err(too_large(limit).into());
    }
    if bytes.is_empty() {
        return Err(bad_request("the media is empty").into());
    }
    let category = query.category.unwrap_or_else(|| "media".to_owned());
    if !matches!(category.as_str(), "media" | "body" | "history") {
        return Err(bad_request("Category must be media, body or history").into());
    }
    let mut world = state.world();
    let now = now_millis();
    world.expire_unattached_media(now);
    world.check_media_quota(&identity, bytes.len())?;
    let media = Media {
        sid: sid("ME"),
        bytes,
        content_type,
        filename,
        category,
        author: identity,
        date_created: now,
        attached_to: None,
        temporary_token: String::new(),
        temporary_expires: 0,
    };
    let media_sid = media.sid.clone();
    world.media.insert(media_sid.clone(), media);
    let record = world.media_record(&media_sid);
    Ok((StatusCode::CREATED, Json(record)).into_response())
}

/// Over Twilio's media limit: a 400 with a Twilio body, like every other limit.
fn too_large(limit: usize) -> TwilioError {
    TwilioError::new(
        400,
        20001,
        format!("Media is larger than the {} MB limit", limit / (1024 * 1024)),
    )
}

fn upload_error(message: &str, limit: usize) -> TwilioError {
    if message.contains("length limit") || message.contains("too large") {
        too_large(limit)
    } else {
        bad_request(format!("could not read the upload: {message}"))
    }
}

/// Whether `identity` may see media `sid`: its author, or a participant of the conversation
/// it was sent to.
fn may_read(world: &World, identity: &str, media: &Media) -> bool {
    media.author == identity
        || media
            .attached_to
            .as_ref()
            .and_then(|(conversation, _)| world.conversations.get(conversation))
            .is_some_and(|c| c.is_participant(identity))
}

fn readable_media(world: &World, identity: &str, media: &str) -> Result<(), TwilioError> {
    let m = world.media.get(media).ok_or_else(|| not_found(media))?;
    if !may_read(world, identity, m) {
        return Err(forbidden(format!("User {identity} may not read media {media}")));
    }
    Ok(())
}

async fn record(
    State(state): State<AppState>,
    Path((service, media)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<Json<Value>> {
    let identity = authenticate(&state, &headers)?;
    let mut world = state.world();
    check_service(&world, &service)?;
    readable_media(&world, &identity, &media)?;
    Ok(Json(world.media_record(&media)))
}

#[derive(Debug, Deserialize)]
struct ContentQuery {
    #[serde(rename = "Token")]
    token: Option<String>,
    /// The end the URL states (Unix seconds). Fetching the record again extends the token, but
    /// each URL handed out lasts only as long as it said, as a signed URL does.
    #[serde(rename = "Expires")]
    expires: Option<u64>,
}

/// The bytes, for the temporary URL (no header auth: browsers load it in `<img src>`).
async fn content(
    State(state): State<AppState>,
    Path((service, media)): Path<(String, String)>,
    Query(query): Query<ContentQuery>,
) -> ApiResult<Response> {
    let world = state.world();
    check_service(&world, &service)?;
    let m = world.media.get(&media).ok_or_else(|| not_found(&media))?;
    let now = now_millis();
    let valid = query
        .token
        .is_some_and(|t| !t.is_empty() && crate::auth::same_secret(&t, &m.temporary_token))
        && m.temporary_expires > now
        && query.expires.is_none_or(|end| end.saturating_mul(1000) > now);
    if !valid {
        return Err(
            TwilioError::new(403, 20403, "The temporary URL is invalid or has expired").into()
        );
    }
    let mut response = Response::new(Body::from(m.bytes.clone()));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&m.content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    // The uploader chose the type: anything a browser could run (HTML, SVG, …) on the
    // emulator's origin is a download in a sandbox, never a page.
    let inline = shown_inline(&m.content_type);
    let disposition = if inline { "inline" } else { "attachment" };
    let value = match &m.filename {
        // RFC 5987 form, so any file name survives without header injection.
        Some(name) => {
            format!("{disposition}; filename*=UTF-8''{}", convo_wire::url::path_segment(name))
        }
        None => disposition.to_owned(),
    };
    if let Ok(value) = HeaderValue::from_str(&value) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    if !inline {
        headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("sandbox"));
    }
    // A browser may keep the bytes no longer than the URL itself is valid: a cached copy must
    // not hide that the URL has expired.
    let end = query.expires.map_or(m.temporary_expires, |e| e.saturating_mul(1000));
    let max_age = end.min(m.temporary_expires).saturating_sub(now) / 1000;
    if let Ok(value) = HeaderValue::from_str(&format!("private, max-age={max_age}")) {
        headers.insert(header::CACHE_CONTROL, value);
    }
    headers.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    Ok(response)
}

/// Raster images browsers only ever display. SVG is left out: it is a document that runs
/// scripts when opened on its own.
fn shown_inline(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    ["image/png", "image/jpeg", "image/gif", "image/webp"]
        .iter()
        .any(|safe| essence.eq_ignore_ascii_case(safe))
}

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default()
}

async fn media_set(
    State(state): State<AppState>,
    Path(service): Path<String>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> ApiResult<Json<Value>> {
    let identity = authenticate(&state, &headers)?;
    let mut world = state.world();
    check_service(&world, &service)?;
    if body["command"] != "get" {
        return Err(bad_request("command must be get").into());
    }
    let list = body["list"].as_array().ok_or_else(|| bad_request("list must be an array"))?;
    let mut results = Vec::with_capacity(list.len());
    for entry in list {
        let media = entry["media_sid"].as_str().unwrap_or_default();
        results.push(match readable_media(&world, &identity, media) {
            Ok(()) => json!({ "code": 200, "media_record": world.media_record(media) }),
            Err(e) => {
                json!({ "code": e.status, "media_record": { "sid": media }, "message": e.message })
            }
        });
    }
    Ok(Json(Value::Array(results)))
}

impl World {
    /// The media record, with a temporary content URL valid for the next `media_url_ttl`
    /// (Twilio documents 300 s), rounded up to a whole second.
    pub(crate) fn media_record(&mut self, sid: &str) -> Value {
        let Some(media) = self.media.get_mut(sid) else { return Value::Null };
        let now = now_millis();
        if media.temporary_expires <= now {
            media.temporary_token = uuid::Uuid::new_v4().simple().to_string();
        }
        let ttl_ms = u64::try_from(self.config.media_url_ttl.as_millis()).unwrap_or(u64::MAX);
        // URLs state their end in whole seconds (`Expires`), so it is one: the URL works until
        // exactly the second it states, never a moment more or less.
        media.temporary_expires = now.saturating_add(ttl_ms).div_ceil(1000).saturating_mul(1000);
        let media = media.clone();
        self.media_json(&media)
    }
}
