//! Interface text in Bahasa Indonesia (default) and English. Templates call
//! `t.s("key")`; a test checks that every key a template uses is defined here.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Id,
    En,
}

impl Lang {
    pub fn from_code(code: &str) -> Lang {
        if code.eq_ignore_ascii_case("en") {
            Lang::En
        } else {
            Lang::Id
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Lang::Id => "id",
            Lang::En => "en",
        }
    }
}

/// The translator handed to templates.
#[derive(Debug, Clone, Copy)]
pub struct Tr(pub Lang);

impl Tr {
    pub fn s(&self, key: &str) -> &'static str {
        match TEXTS.iter().find(|e| e.0 == key) {
            Some((_, id, en)) => match self.0 {
                Lang::Id => id,
                Lang::En => en,
            },
            None => "??",
        }
    }
    pub fn lang(&self) -> &'static str {
        self.0.code()
    }
    /// A role's name in this language.
    pub fn role(&self, role: &guyub_domain::Role) -> &'static str {
        self.s(&format!("role.{}", role.as_str()))
    }
}

pub const TEXTS: &[(&str, &str, &str)] = &[
    (
        "app.tagline",
        "Satu anggota, semua kanal",
        "One member, every channel",
    ),
    ("nav.dashboard", "Beranda", "Dashboard"),
    ("nav.inbox", "Kotak Masuk", "Inbox"),
    ("nav.members", "Anggota", "Members"),
    ("nav.savings", "Simpanan & Pinjaman", "Savings & Loans"),
    ("nav.shop", "Toko & Pesanan", "Shop & Orders"),
    ("nav.calls", "Call Center", "Call Center"),
    ("nav.reports", "Laporan", "Reports"),
    ("nav.settings", "Pengaturan", "Settings"),
    ("nav.users", "Pengguna & Peran", "Users & Roles"),
    ("nav.tokens", "Token API", "API Tokens"),
    ("nav.audit", "Log Audit", "Audit Log"),
    ("nav.account", "Akun Saya", "My Account"),
    ("nav.soon", "segera", "soon"),
    ("nav.logout", "Keluar", "Log out"),
    ("login.title", "Masuk", "Log in"),
    ("login.cooperative", "Koperasi (kode)", "Cooperative (code)"),
    ("login.email", "Email", "E-mail"),
    ("login.password", "Kata sandi", "Password"),
    ("login.submit", "Masuk", "Log in"),
    (
        "login.bad",
        "Email atau kata sandi salah.",
        "Wrong e-mail or password.",
    ),
    (
        "login.throttled",
        "Terlalu banyak percobaan gagal. Coba lagi nanti.",
        "Too many failed attempts. Try again later.",
    ),
    (
        "login.expired",
        "Sesi Anda telah berakhir. Silakan masuk lagi.",
        "Your session has ended. Please log in again.",
    ),
    ("setup.title", "Penyiapan awal", "First-time setup"),
    (
        "setup.intro",
        "Buat koperasi pertama dan akun pemiliknya. Tautan ini hanya berlaku sekali.",
        "Create the first cooperative and its owner account. This link works once.",
    ),
    ("setup.coop_name", "Nama koperasi", "Cooperative name"),
    (
        "setup.slug",
        "Kode koperasi (huruf kecil, angka, -)",
        "Cooperative code (lower-case letters, digits, -)",
    ),
    ("setup.owner_name", "Nama pemilik akun", "Owner's name"),
    ("setup.submit", "Buat koperasi", "Create cooperative"),
    (
        "setup.invalid",
        "Tautan penyiapan ini sudah dipakai atau kedaluwarsa.",
        "This setup link has been used or has expired.",
    ),
    ("dash.welcome", "Selamat datang", "Welcome"),
    ("dash.members", "Anggota terdaftar", "Registered members"),
    ("dash.users", "Pengguna staf", "Staff users"),
    ("dash.role", "Peran Anda", "Your role"),
    (
        "dash.coming",
        "Kemampuan berikut sedang dibangun dan akan muncul di menu:",
        "These capabilities are being built and will appear in the menu:",
    ),
    ("users.title", "Pengguna & Peran", "Users & Roles"),
    ("users.add", "Tambah pengguna", "Add user"),
    ("users.name", "Nama", "Name"),
    ("users.email", "Email", "E-mail"),
    ("users.role", "Peran", "Role"),
    ("users.status", "Status", "Status"),
    ("users.active", "aktif", "active"),
    ("users.inactive", "nonaktif", "inactive"),
    (
        "users.password",
        "Kata sandi awal (min. 10 karakter)",
        "Initial password (min. 10 characters)",
    ),
    ("users.save_role", "Ubah peran", "Change role"),
    ("users.deactivate", "Nonaktifkan", "Deactivate"),
    ("users.activate", "Aktifkan", "Activate"),
    ("users.created", "Pengguna dibuat.", "User created."),
    ("users.updated", "Perubahan disimpan.", "Changes saved."),
    ("tokens.title", "Token API", "API Tokens"),
    (
        "tokens.intro",
        "Token untuk integrasi. Dikirim sebagai Authorization: Bearer. Token hanya ditampilkan sekali.",
        "Tokens for integrations, sent as Authorization: Bearer. A token is shown only once.",
    ),
    ("tokens.name", "Nama", "Name"),
    ("tokens.create", "Buat token", "Create token"),
    (
        "tokens.shown_once",
        "Salin token ini sekarang. Token tidak akan ditampilkan lagi:",
        "Copy this token now. It will not be shown again:",
    ),
    ("tokens.revoke", "Cabut", "Revoke"),
    ("tokens.revoked", "dicabut", "revoked"),
    ("tokens.last_used", "Terakhir dipakai", "Last used"),
    ("tokens.created", "Dibuat", "Created"),
    ("tokens.never", "belum pernah", "never"),
    ("audit.title", "Log Audit", "Audit Log"),
    (
        "audit.intro",
        "Catatan yang hanya bisa ditambah; setiap entri terkait dengan hash entri sebelumnya.",
        "Append-only; every entry is chained to the previous one's hash.",
    ),
    ("audit.when", "Waktu", "Time"),
    ("audit.actor", "Pelaku", "Actor"),
    ("audit.action", "Tindakan", "Action"),
    ("audit.target", "Sasaran", "Target"),
    ("audit.source", "Alamat", "Address"),
    ("audit.detail", "Rincian", "Detail"),
    ("audit.filter", "Saring", "Filter"),
    ("audit.from", "Dari tanggal", "From date"),
    ("audit.to", "Sampai tanggal", "To date"),
    ("audit.newer", "Lebih baru", "Newer"),
    ("audit.older", "Lebih lama", "Older"),
    ("audit.none", "Tidak ada entri.", "No entries."),
    ("members.title", "Anggota", "Members"),
    ("members.no", "No. anggota", "Member no."),
    ("members.name", "Nama", "Name"),
    ("members.phone", "Telepon", "Phone"),
    ("members.status", "Status", "Status"),
    ("members.none", "Belum ada anggota.", "No members yet."),
    ("account.title", "Akun Saya", "My Account"),
    ("account.language", "Bahasa", "Language"),
    ("account.save_language", "Simpan bahasa", "Save language"),
    (
        "account.current_password",
        "Kata sandi sekarang",
        "Current password",
    ),
    (
        "account.new_password",
        "Kata sandi baru (min. 10 karakter)",
        "New password (min. 10 characters)",
    ),
    (
        "account.change_password",
        "Ganti kata sandi",
        "Change password",
    ),
    (
        "account.password_changed",
        "Kata sandi diganti. Sesi lain telah diakhiri.",
        "Password changed. Other sessions have been ended.",
    ),
    ("common.save", "Simpan", "Save"),
    ("common.back", "Kembali", "Back"),
    ("common.error", "Terjadi kesalahan", "Something went wrong"),
    (
        "error.not_found",
        "Halaman tidak ditemukan.",
        "Page not found.",
    ),
    (
        "error.forbidden",
        "Anda tidak berwenang melakukan ini.",
        "You are not allowed to do this.",
    ),
    (
        "error.csrf",
        "Formulir kedaluwarsa atau tidak sah. Muat ulang halaman dan coba lagi.",
        "The form has expired or is not valid. Reload the page and try again.",
    ),
    (
        "error.too_large",
        "Data yang dikirim terlalu besar.",
        "What was sent is too large.",
    ),
    (
        "error.internal",
        "Kesalahan di server. Sudah dicatat; coba lagi sebentar lagi.",
        "A server error. It has been logged; try again shortly.",
    ),
    (
        "error.bad_request",
        "Permintaan tidak valid.",
        "The request is not valid.",
    ),
    (
        "error.method",
        "Metode tidak diizinkan untuk alamat ini.",
        "Method not allowed for this address.",
    ),
    ("error.home", "Ke beranda", "Go to the dashboard"),
    ("role.owner", "Pemilik", "Owner"),
    ("role.admin", "Admin", "Admin"),
    ("role.manager", "Pengurus", "Manager (pengurus)"),
    ("role.supervisor", "Supervisor", "Supervisor"),
    ("role.agent", "Agen CS", "CS agent"),
    ("role.teller", "Kasir", "Teller (kasir)"),
    ("role.auditor", "Auditor (baca saja)", "Auditor (read-only)"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_used_in_templates_and_code_is_defined_once() {
        let mut seen = std::collections::HashSet::new();
        for (k, id, en) in TEXTS {
            assert!(seen.insert(*k), "duplicate key {k}");
            assert!(
                !id.is_empty() && !en.is_empty(),
                "{k} is missing a translation"
            );
        }
        let dirs = [
            concat!(env!("CARGO_MANIFEST_DIR"), "/templates"),
            concat!(env!("CARGO_MANIFEST_DIR"), "/src/pages"),
        ];
        let mut checked = 0;
        for dir in dirs {
            for entry in std::fs::read_dir(dir).unwrap() {
                let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
                for part in text.split("t.s(\"").skip(1) {
                    let key = &part[..part.find('"').unwrap()];
                    assert!(seen.contains(key), "key {key:?} is used but not defined");
                    checked += 1;
                }
            }
        }
        assert!(
            checked > 50,
            "only {checked} uses found; is the scan broken?"
        );
        for r in guyub_domain::Role::ALL {
            assert_ne!(Tr(Lang::En).role(&r), "??");
        }
    }
}
