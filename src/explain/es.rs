//! Spanish wording (neutral Latin American Spanish, `tú`), one row per verdict code.

use super::Locale;

#[rustfmt::skip]
pub const ES: Locale = Locale {
    tag: "es",
    your_institution: "tu banco",
    rows: &[
        //  code                              title                                          message                                                                                                            action label
        ("login_required",                 "Vuelve a iniciar sesión en {institution}",    "Tus datos de acceso a {institution} cambiaron o necesitan otra verificación. Vuelve a conectarte para mantener tus cuentas al día.", Some("Reconectar")),
        ("token_expired",                  "Vuelve a conectar {institution}",             "Tu permiso para compartir datos de {institution} venció. Vuelve a conectarte para mantener tus cuentas al día.",    Some("Reconectar")),
        ("repairing_institution",          "Vuelve a conectar {institution}",             "{institution} cambió su forma de conectarse. Vuelve a conectarte para que tus cuentas sigan actualizándose.",      Some("Reconectar")),
        ("reconnect_required_other",       "Vuelve a conectar {institution}",             "No podemos acceder a tus cuentas de {institution} en este momento. Vuelve a conectarte para mantenerlas al día.",  Some("Reconectar")),
        ("reconnect_required",             "Vuelve a conectar {institution}",             "Tu conexión con {institution} dejó de funcionar. Vuelve a conectarte para mantener tus cuentas al día.",            Some("Reconectar")),
        ("continued_aggregation_failures", "Vuelve a conectar {institution}",             "Hace tiempo que no podemos actualizar tus cuentas de {institution}. Volver a conectarte suele solucionarlo.",      Some("Reconectar")),
        ("unrecoverable",                  "Vuelve a conectar {institution}",             "Tu conexión con {institution} ya no se puede actualizar. Vuelve a conectarte para mantener tus cuentas al día.",   Some("Reconectar")),
        ("access_expiring_soon",           "Mantén {institution} conectado",              "Tu acceso a {institution} vencerá pronto. Vuelve a conectarte ahora para evitar una interrupción.",                Some("Reconectar")),
        ("new_accounts_available",         "Cuentas nuevas en {institution}",             "{institution} tiene cuentas que aún no compartiste. Vuelve a conectarte para elegir cuáles agregar.",              Some("Agregar cuentas")),
        ("healthy",                        "{institution} está conectado",                "Tus cuentas están al día.",                                                                                        None),
        ("interactive_refresh",            "Inicia sesión para actualizar {institution}", "{institution} te pide iniciar sesión cada vez que se actualizan tus cuentas. Vuelve a conectarte para ver los datos más recientes.", Some("Reconectar")),
        ("institution_action_required",    "Acción necesaria en {institution}",           "{institution} necesita que hagas algo en su sitio web o app, como aceptar nuevos términos. Después, vuelve a comprobar.", Some("Comprobar de nuevo")),
        ("institution_unavailable",        "{institution} no está disponible por ahora",  "{institution} no responde en este momento. Lo intentaremos de nuevo automáticamente; no tienes que hacer nada.",   None),
        ("provider_unavailable",           "Las actualizaciones de {institution} se retrasan", "Nuestro socio de conexión para {institution} tiene problemas. Lo intentaremos de nuevo automáticamente.",     None),
        ("degraded",                       "Las actualizaciones de {institution} se retrasan", "Tenemos problemas para actualizar tus cuentas de {institution}. Seguiremos intentándolo; no tienes que hacer nada.", None),
        ("partial_aggregation",            "Faltan algunos datos de {institution}",       "Solo pudimos actualizar parte de tu información de {institution}. Lo intentaremos de nuevo.",                      None),
        ("partial_aggregation_persists",   "Vuelve a conectar {institution}",             "Parte de tu información de {institution} sigue sin actualizarse. Volver a conectarte suele solucionarlo.",         Some("Reconectar")),
        ("inactive_duplicate",             "{institution} está vinculado dos veces",      "Esta es una copia adicional de una conexión que ya tienes con {institution}. La otra mantiene tus cuentas al día.", None),
        ("partially_active",               "Faltan algunos datos de {institution}",       "Parte de tu información de {institution} no se actualizó. Lo intentaremos de nuevo.",                              None),
        ("partially_active_persists",      "Vuelve a conectar {institution}",             "Parte de tu información de {institution} sigue sin actualizarse. Volver a conectarte suele solucionarlo.",         Some("Reconectar")),
        ("undetermined",                   "Revisando {institution}",                     "Estamos revisando tu conexión con {institution}. Normalmente se resuelve sola.",                                   None),
        ("in_progress",                    "Conectando {institution}",                    "Tu conexión con {institution} aún se está configurando. Termina en la ventana que se abrió.",                      None),
        ("expired",                        "{institution} no se conectó",                 "Empezaste a conectar {institution} pero no terminaste. Vuelve a vincularlo para ver tus cuentas.",                 Some("Vincular de nuevo")),
        ("deleted",                        "{institution} está desconectado",             "Esta conexión se eliminó. Tus cuentas de {institution} ya no se actualizan.",                                      None),
        ("unknown_status",                 "Revisando {institution}",                     "Estamos revisando el estado de tu conexión con {institution}.",                                                    None),
    ],
    copy: &[
        ("repair_completed",       "Reconectado",                                  "Tus cuentas de {institution} se están actualizando. Puede tardar unos minutos.",          None),
        ("repair_still_updating",  "Aún se está actualizando",                     "Tus cuentas de {institution} están tardando más de lo normal en actualizarse. Vuelve a revisar más tarde.", None),
        ("repair_cancelled",       "Se detuvo la reconexión",                      "No cambió nada. Puedes volver a conectar {institution} cuando quieras.",                  Some("Intentar de nuevo")),
        ("repair_window_lost",     "Perdimos de vista la ventana",                 "Si terminaste de reconectar {institution} allí, tus cuentas se actualizarán en unos minutos. Si no, inténtalo de nuevo.", Some("Intentar de nuevo")),
        ("repair_failed",          "No pudimos volver a conectar {institution}",   "Algo salió mal de nuestro lado. Inténtalo de nuevo en un minuto.",                        Some("Intentar de nuevo")),
        ("repair_failed_popup",    "Tu navegador bloqueó la ventana",              "Permite las ventanas emergentes para este sitio y vuelve a intentarlo.",                  Some("Intentar de nuevo")),
        ("repair_failed_final",    "No pudimos volver a conectar {institution}",   "La reconexión no está disponible en este momento. Inténtalo más tarde o comunícate con soporte.", None),
        ("repair_not_needed",      "No hay nada que reconectar",                   "{institution} no necesita reconectarse en este momento.",                                 None),
        ("connection_unavailable", "Estado de la conexión no disponible",          "No podemos mostrar el estado de esta conexión en este momento. Inténtalo más tarde.",     None),
        ("dialog",                 "Vuelve a conectar {institution}",              "", None),
        ("dialog_progress",        "Reconectando {count} de {total}: {institution}", "", None),
        ("close",                  "Cerrar",                                       "", None),
        ("busy",                   "Abriendo…",                                    "", None),
        ("window_open",            "Termina en la ventana que se abrió",           "", None),
        ("severity_error",         "Acción necesaria",                             "", None),
        ("severity_warning",       "Recomendado",                                  "", None),
        ("severity_info",          "Para tu información",                          "", None),
        ("severity_optional",      "Opcional",                                     "", None),
        ("severity_success",       "Conectado",                                    "", None),
        ("severity_updating",      "Actualizando",                                 "", None),
    ],
};

/// El resumen de `triage` de toda la lista del cliente (explain/mod.rs explica las marcas).
#[rustfmt::skip]
pub const SUMMARY: &[(&str, &str, &str, Option<&str>)] = &[
    //  code                title                                  message                                                                                   action label
    ("summary_empty",    "No hay bancos conectados",            "Conecta un banco para ver tus cuentas aquí.",                                            None),
    ("summary_healthy",  "Todos tus bancos están al día",       "Tus cuentas se actualizan solas. No tienes que hacer nada.",                             None),
    ("summary_updating", "Tus bancos se están actualizando",    "Algunas de tus cuentas se están poniendo al día. Por ahora no tienes que hacer nada.",   None),
    ("summary_optional", "Tus bancos funcionan",                "Hay un paso opcional para algunos de ellos abajo.",                                       None),
    ("summary_one",      "{institution} te necesita",           "Vuelve a conectar {institution} para mantener tus cuentas al día. Toma un minuto.",      Some("Solucionar")),
    ("summary_some",     "{count} de tus bancos te necesitan",  "Vuelve a conectarlos uno tras otro para mantener tus cuentas al día.",                    Some("Solucionar todo")),
];
