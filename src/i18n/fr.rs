//! Français.

use super::Catalogue;

pub(super) static CATALOGUE: Catalogue = Catalogue {
    open_chat: "Ouvrir le chat d'assistance",
    close_chat: "Fermer le chat d'assistance",
    minimise: "Réduire le chat",
    unread: |n| {
        if n == 1 {
            "1 message non lu".to_owned()
        } else {
            format!("{n} messages non lus")
        }
    },
    team_default: "Assistance",
    online: "En ligne",
    offline: "Absent",
    agent: "Conseiller",
    you: "Vous",
    assistant: "Assistant",
    prechat_intro: "Bonjour ! Présentez-vous en quelques mots, nous arrivons.",
    name: "Nom",
    email: "E-mail",
    question: "Comment pouvons-nous vous aider ?",
    optional: "facultatif",
    start_chat: "Démarrer le chat",
    required: "Merci de remplir ce champ.",
    invalid_email: "Merci de saisir une adresse comme nom@exemple.fr.",
    too_long: |n| format!("Merci de ne pas dépasser {n} caractères."),
    starting: "Ouverture du chat…",
    composer_placeholder: "Écrire un message…",
    send: "Envoyer",
    attach: "Joindre des fichiers",
    remove_attachment: |name| format!("Retirer {name}"),
    bytes_left: |n| format!("{n} caractères restants"),
    over_limit: "Ce message est trop long pour être envoyé.",
    drop_files: "Déposez des fichiers pour les joindre",
    file_too_big: |name, limit| format!("{name} dépasse {limit}."),
    file_type: |name| format!("{name} n'est pas un type de fichier accepté."),
    file_too_many: |n| format!("Vous pouvez joindre jusqu'à {n} fichiers."),
    file_empty: |name| format!("{name} est vide."),
    files_not_kept: |names| {
        format!("Les pièces jointes ne sont pas conservées au rechargement de la page ; celles-ci n'ont pas été envoyées : {names}. Veuillez les joindre à nouveau.")
    },
    connected: "Connecté",
    connecting: "Connexion…",
    reconnecting_in: |s| format!("Connexion perdue. Nouvelle tentative dans {s} s…"),
    retry_now: "Réessayer maintenant",
    offline_banner: "Vous êtes hors ligne. Vos messages partiront à votre retour.",
    unavailable: "Le chat est indisponible pour le moment.",
    try_again: "Réessayer",
    sending: "Envoi…",
    queued: "En attente de connexion",
    uploading: |p| format!("Envoi du fichier {p} %"),
    failed: "Non envoyé",
    retry: "Réessayer",
    cancel: "Annuler",
    sent: "Envoyé",
    read: "Lu",
    more_actions: "Plus d'actions",
    edit: "Modifier",
    delete: "Supprimer",
    edited: "modifié",
    message_deleted: "Message supprimé",
    editing: "Modification du message",
    save_edit: "Enregistrer",
    edit_empty: "Un message ne peut pas être vide. Pour le retirer, supprimez-le.",
    edit_failed: "Le message n'a pas pu être modifié. Votre texte est toujours là.",
    delete_confirm: "Supprimer ce message ? Il sera retiré pour tout le monde.",
    keep_message: "Le garder",
    delete_failed: "Le message n'a pas pu être supprimé.",
    typing: |who| format!("{who} écrit…"),
    new_messages: "Nouveaux messages",
    jump_to_latest: |n| {
        if n == 0 {
            "Aller au plus récent".to_owned()
        } else {
            format!("{n} nouveaux — aller au plus récent")
        }
    },
    loading_older: "Chargement des messages précédents…",
    beginning: "C'est le début de la conversation.",
    ended: "Cette conversation est terminée.",
    download_transcript: "Télécharger la transcription",
    start_new: "Démarrer une nouvelle conversation",
    end_chat: "Terminer la discussion",
    previous_expired: "Votre discussion précédente a expiré. Vous pouvez en démarrer une nouvelle.",
    previous_ended:
        "Votre conversation précédente est terminée. Vous pouvez en démarrer une nouvelle.",
    end_confirm: "Terminer cette discussion ? Vous ne pourrez plus y répondre ensuite.",
    keep_chatting: "Continuer la discussion",
    end_failed: "La discussion n'a pas pu être terminée. Veuillez réessayer.",
    inactive: "Cette discussion est calme depuis un moment. Envoyez un message pour la reprendre.",
    show_earlier: "Afficher les conversations précédentes",
    earlier_thread: |day| format!("Conversation précédente · {day}"),
    rating_prompt: "Comment s'est passée cette discussion ?",
    rating_score: |n| {
        if n == 1 {
            "1 étoile sur 5".to_owned()
        } else {
            format!("{n} étoiles sur 5")
        }
    },
    rating_comment: "Quelque chose à ajouter ? (facultatif)",
    rating_send: "Envoyer la note",
    rating_thanks: "Merci pour votre avis !",
    rating_failed: "Votre note n'a pas pu être envoyée. Veuillez réessayer.",
    image: |name| format!("Image : {name}"),
    dismiss: "Ignorer",
    greeting_from: |team| format!("Message de l'équipe {team}"),
    greeting_dismiss: "Ignorer le message",
    close_image: "Fermer l'image",
    download: |name| format!("Télécharger {name}"),
    media_failed: |name| format!("Impossible de charger {name}."),
    retry_media: |name| format!("Réessayer de charger {name}"),
    announce: |who, text| format!("{who} : {text}"),
    title_unread: |n| format!("({n}) Nouveau message"),
    messages_label: "Messages",
    today: "Aujourd'hui",
    yesterday: "Hier",
    joined: |name| format!("{name} a rejoint la conversation"),
    left: |name| format!("{name} a quitté la conversation"),
};

#[cfg(any(test, feature = "agent-desk"))]
pub(super) static DESK: super::DeskCatalogue = super::DeskCatalogue {
    conversations: "Conversations",
    none_yet: "Aucune pour l'instant : ouvrez la boutique dans un autre onglet et lancez un chat.",
    choose: "Choisissez une conversation pour y répondre.",
    visitor: "Visiteur",
    resolved: "Résolue",
    typing: "écrit…",
    details: "Le visiteur",
    name: "Nom",
    email: "E-mail",
    question: "Question",
    page: "Page",
    host: "Transmis par le site",
    not_given: "Non renseigné",
    resolve: "Résoudre",
    resolve_question: "Résoudre cette conversation ? Le visiteur verra qu'elle est terminée et ne pourra plus y écrire.",
    resolve_confirm: "Oui, résoudre",
    keep_open: "La laisser ouverte",
    resolving: "Résolution…",
    is_resolved: "Cette conversation est résolue.",
    resolve_failed: |error| format!("Impossible de la résoudre : {error}"),
};
