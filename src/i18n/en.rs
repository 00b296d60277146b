//! English.

use super::Catalogue;

pub(super) static CATALOGUE: Catalogue = Catalogue {
    open_chat: "Open support chat",
    close_chat: "Close support chat",
    minimise: "Minimise chat",
    unread: |n| if n == 1 { "1 unread message".to_owned() } else { format!("{n} unread messages") },
    team_default: "Support",
    online: "Online",
    offline: "Away",
    agent: "Agent",
    you: "You",
    assistant: "Assistant",
    prechat_intro: "Hi! Tell us a little about yourself and we'll be right with you.",
    name: "Name",
    email: "Email",
    question: "How can we help?",
    optional: "optional",
    start_chat: "Start chat",
    required: "Please fill this in.",
    invalid_email: "Please enter an email address like name@example.com.",
    too_long: |n| format!("Please keep this under {n} characters."),
    starting: "Starting your chat…",
    composer_placeholder: "Write a message…",
    send: "Send",
    attach: "Attach files",
    remove_attachment: |name| format!("Remove {name}"),
    bytes_left: |n| format!("{n} characters left"),
    over_limit: "This message is too long to send.",
    drop_files: "Drop files to attach them",
    file_too_big: |name, limit| format!("{name} is larger than {limit}."),
    file_type: |name| format!("{name} is not a file type we accept."),
    file_too_many: |n| format!("You can attach up to {n} files."),
    file_empty: |name| format!("{name} is empty."),
    files_not_kept: |names| {
        format!("Attachments are not kept when the page reloads, so these were not sent: {names}. Please attach them again.")
    },
    connected: "Connected",
    connecting: "Connecting…",
    reconnecting_in: |s| format!("Connection lost. Reconnecting in {s} s…"),
    retry_now: "Retry now",
    offline_banner: "You're offline. Messages will be sent when you're back.",
    unavailable: "Chat is unavailable right now.",
    try_again: "Try again",
    sending: "Sending…",
    queued: "Waiting for connection",
    uploading: |p| format!("Uploading {p}%"),
    failed: "Not sent",
    retry: "Retry",
    cancel: "Cancel",
    seen: "Seen",
    typing: |who| format!("{who} is typing…"),
    new_messages: "New messages",
    jump_to_latest: |n| {
        if n == 0 {
            "Jump to latest".to_owned()
        } else {
            format!("{n} new — jump to latest")
        }
    },
    loading_older: "Loading earlier messages…",
    beginning: "This is the beginning of the conversation.",
    ended: "This conversation has ended.",
    download_transcript: "Download transcript",
    start_new: "Start a new conversation",
    end_chat: "End chat",
    previous_expired: "Your previous chat has expired. You can start a new one.",
    previous_ended: "Your previous conversation has ended. You can start a new one.",
    end_confirm: "End this chat? You won't be able to reply in it afterwards.",
    keep_chatting: "Keep chatting",
    end_failed: "The chat could not be ended. Please try again.",
    inactive: "This chat has been quiet for a while. Send a message to pick it up again.",
    show_earlier: "Show earlier conversations",
    earlier_thread: |day| format!("Earlier conversation · {day}"),
    rating_prompt: "How was this chat?",
    rating_score: |n| {
        if n == 1 {
            "1 star out of 5".to_owned()
        } else {
            format!("{n} stars out of 5")
        }
    },
    rating_comment: "Anything you'd like to add? (optional)",
    rating_send: "Send rating",
    rating_thanks: "Thank you for your feedback!",
    rating_failed: "Your rating could not be sent. Please try again.",
    image: |name| format!("Image: {name}"),
    dismiss: "Dismiss",
    close_image: "Close image",
    download: |name| format!("Download {name}"),
    media_failed: |name| format!("Could not load {name}."),
    retry_media: |name| format!("Retry loading {name}"),
    announce: |who, text| format!("{who}: {text}"),
    title_unread: |n| format!("({n}) New message"),
    messages_label: "Messages",
    today: "Today",
    yesterday: "Yesterday",
};

#[cfg(any(test, feature = "agent-desk"))]
pub(super) static DESK: super::DeskCatalogue = super::DeskCatalogue {
    conversations: "Conversations",
    none_yet: "None yet: open the shop in another tab and start a chat.",
    choose: "Choose a conversation to answer it.",
    visitor: "Visitor",
    resolved: "Resolved",
    typing: "typing…",
    details: "Visitor details",
    name: "Name",
    email: "Email",
    question: "Question",
    page: "Page",
    host: "From the site",
    not_given: "Not given",
    resolve: "Resolve",
    resolve_question: "Resolve this conversation? The visitor will see that it has ended and can no longer write in it.",
    resolve_confirm: "Yes, resolve",
    keep_open: "Keep it open",
    resolving: "Resolving…",
    is_resolved: "This conversation is resolved.",
    resolve_failed: |error| format!("Could not resolve it: {error}"),
};
