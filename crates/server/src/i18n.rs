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
    /// The text for `key`, or `fallback` when there is none (names that come from data:
    /// a timeline entry's kind, a table).
    pub fn or<'a>(&self, key: &str, fallback: &'a str) -> &'a str {
        match self.s(key) {
            "??" => fallback,
            found => found,
        }
    }
    /// A member status's name (`anggota` → "Anggota").
    pub fn status<'a>(&self, status: &'a str) -> &'a str {
        self.or(&format!("status.{status}"), status)
    }
    /// A channel's name (`whatsapp` → "WhatsApp").
    pub fn kind<'a>(&self, kind: &'a str) -> &'a str {
        self.or(&format!("kind.{kind}"), kind)
    }
    /// A conversation's status (`open` → "Terbuka").
    pub fn conv_status<'a>(&self, status: &'a str) -> &'a str {
        self.or(&format!("conv.status.{status}"), status)
    }
    /// A message's delivery status (`delivered` → "Terkirim ke perangkat").
    pub fn msg_status<'a>(&self, status: &'a str) -> &'a str {
        self.or(&format!("msg.status.{status}"), status)
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
    ("nav.contacts", "Kontak", "Contacts"),
    ("nav.reviews", "Tinjauan identitas", "Identity reviews"),
    ("nav.open_reviews", "tinjauan terbuka", "open reviews"),
    ("common.cancel", "Batal", "Cancel"),
    ("common.prev", "Sebelumnya", "Previous"),
    ("common.next", "Berikutnya", "Next"),
    ("members.add", "Tambah anggota", "Add member"),
    ("members.import", "Impor CSV", "Import CSV"),
    ("members.export", "Ekspor CSV", "Export CSV"),
    ("members.search", "Cari", "Search"),
    (
        "members.search_hint",
        "Nama, no. anggota, telepon, atau NIK",
        "Name, member no., phone or NIK",
    ),
    ("members.all_statuses", "Semua status", "All statuses"),
    ("members.find", "Cari", "Search"),
    (
        "members.not_found",
        "Tidak ada anggota yang cocok.",
        "No member matches.",
    ),
    (
        "members.created",
        "Anggota didaftarkan.",
        "Member registered.",
    ),
    ("members.updated", "Data anggota disimpan.", "Member saved."),
    (
        "members.status_changed",
        "Status diubah.",
        "Status changed.",
    ),
    (
        "status.calon_anggota",
        "Calon anggota",
        "Prospective member",
    ),
    ("status.anggota", "Anggota", "Member"),
    ("status.keluar", "Keluar", "Left"),
    ("status.meninggal", "Meninggal", "Deceased"),
    ("gender.L", "Laki-laki", "Male"),
    ("gender.P", "Perempuan", "Female"),
    ("member.edit", "Ubah data", "Edit"),
    ("member.identity", "Identitas diri", "Personal details"),
    (
        "member.no_auto",
        "otomatis jika kosong",
        "automatic if empty",
    ),
    ("member.gender", "Jenis kelamin", "Gender"),
    ("member.birth_place", "Tempat lahir", "Place of birth"),
    ("member.birth_date", "Tanggal lahir", "Date of birth"),
    ("member.born", "Tempat, tanggal lahir", "Born"),
    ("member.occupation", "Pekerjaan", "Occupation"),
    ("member.contact", "Kontak", "Contact"),
    ("member.phones", "Nomor telepon", "Phone numbers"),
    (
        "member.phones_hint",
        "Pisahkan dengan koma atau baris baru; yang pertama nomor utama.",
        "Separate with commas or new lines; the first is the main number.",
    ),
    ("member.address", "Alamat", "Address"),
    ("member.street", "Jalan, RT/RW", "Street, RT/RW"),
    ("member.village", "Desa/Kelurahan", "Village"),
    ("member.district", "Kecamatan", "District"),
    ("member.regency", "Kabupaten/Kota", "Regency/City"),
    ("member.province", "Provinsi", "Province"),
    ("member.membership", "Keanggotaan", "Membership"),
    ("member.joined_on", "Tanggal bergabung", "Joined on"),
    ("member.profile", "Profil", "Profile"),
    ("member.since", "sejak", "since"),
    ("member.new_status", "Status baru", "New status"),
    ("member.effective_on", "Berlaku tanggal", "Effective on"),
    (
        "member.reason",
        "Alasan (wajib jika keluar)",
        "Reason (required when leaving)",
    ),
    ("member.change_status", "Ubah status", "Change status"),
    ("member.history", "Riwayat status", "Status history"),
    (
        "member.identities",
        "Identitas di kanal",
        "Channel identities",
    ),
    ("member.contacts", "Kontak terhubung", "Linked contacts"),
    (
        "member.no_contacts",
        "Belum ada kontak yang terhubung.",
        "No linked contacts yet.",
    ),
    ("member.timeline", "Linimasa", "Timeline"),
    ("timeline.member.registered", "Didaftarkan", "Registered"),
    ("timeline.member.updated", "Data diubah", "Details changed"),
    ("timeline.member.status", "Status", "Status"),
    (
        "timeline.identity.linked",
        "Identitas terhubung",
        "Identity linked",
    ),
    (
        "timeline.identity.added",
        "Identitas ditambahkan",
        "Identity added",
    ),
    (
        "timeline.identity.verified",
        "Identitas terverifikasi",
        "Identity verified",
    ),
    (
        "timeline.contact.linked",
        "Kontak terhubung",
        "Contact linked",
    ),
    (
        "timeline.contact.unlinked",
        "Kontak dilepas",
        "Contact unlinked",
    ),
    (
        "timeline.contact.merged",
        "Kontak digabung",
        "Contacts merged",
    ),
    (
        "timeline.contact.unmerged",
        "Penggabungan diurungkan",
        "Merge undone",
    ),
    ("kind.whatsapp", "WhatsApp", "WhatsApp"),
    ("kind.messenger", "Messenger", "Messenger"),
    ("kind.instagram", "Instagram", "Instagram"),
    ("kind.telegram", "Telegram", "Telegram"),
    ("kind.line", "LINE", "LINE"),
    ("kind.x", "X", "X"),
    ("kind.email", "Email", "E-mail"),
    ("kind.phone", "Telepon", "Phone"),
    ("kind.webchat", "Obrolan web", "Web chat"),
    ("kind.marketplace", "Marketplace", "Marketplace"),
    (
        "identity.none",
        "Belum ada identitas.",
        "No identities yet.",
    ),
    ("identity.channel", "Kanal", "Channel"),
    ("identity.id", "ID di kanal", "ID on the channel"),
    ("identity.display_name", "Nama tampilan", "Display name"),
    ("identity.status", "Verifikasi", "Verification"),
    ("identity.verify", "Buktikan kepemilikan", "Prove ownership"),
    ("identity.verified_mark", "terverifikasi", "verified"),
    (
        "identity.unverified_mark",
        "belum terverifikasi",
        "not verified",
    ),
    ("identity.last_seen", "terakhir terlihat", "last seen"),
    ("identity.send_code", "Kirim kode", "Send code"),
    ("identity.code", "Kode 6 digit", "6-digit code"),
    ("identity.confirm", "Periksa kode", "Check code"),
    ("identity.add", "Tambah identitas", "Add identity"),
    (
        "identity.code_sent",
        "Kode dikirim lewat kanal ini; berlaku 10 menit. Minta orangnya membacakan kode itu.",
        "A code was sent through this channel; it is valid for 10 minutes. Ask the person to read it back.",
    ),
    (
        "identity.verified",
        "Kode benar: identitas terverifikasi.",
        "The code is right: the identity is verified.",
    ),
    (
        "identity.too_many_codes",
        "Sudah 3 kode dikirim dalam satu jam terakhir. Coba lagi nanti.",
        "Three codes were sent in the last hour. Try again later.",
    ),
    ("contacts.title", "Kontak", "Contacts"),
    (
        "contacts.intro",
        "Orang yang ditemui lewat kanal, terbaru di atas. Satu kontak terhubung ke paling banyak satu anggota.",
        "People met on the channels, newest first. A contact links to at most one member.",
    ),
    ("contacts.none", "Belum ada kontak.", "No contacts yet."),
    ("contacts.contact", "Kontak", "Contact"),
    ("contacts.identities", "identitas", "identities"),
    ("contacts.member", "Anggota", "Member"),
    (
        "contacts.customer",
        "pelanggan / belum dikenal",
        "customer / not known",
    ),
    (
        "contacts.link_to",
        "No. anggota atau ID",
        "Member no. or ID",
    ),
    ("contacts.link", "Hubungkan", "Link"),
    ("contacts.unlink", "Lepaskan", "Unlink"),
    ("contacts.linked", "Kontak dihubungkan.", "Contact linked."),
    ("contacts.unlinked", "Kontak dilepas.", "Contact unlinked."),
    (
        "contacts.identity_added",
        "Identitas ditambahkan (belum terverifikasi).",
        "Identity added (not verified).",
    ),
    (
        "contacts.was_merged",
        "Kontak ini sudah digabung ke kontak",
        "This contact was merged into contact",
    ),
    ("contacts.merged", "Kontak digabung.", "Contacts merged."),
    (
        "contacts.unmerged",
        "Penggabungan diurungkan.",
        "The merge was undone.",
    ),
    ("merge.title", "Gabungkan kontak", "Merge contacts"),
    (
        "merge.intro",
        "Orang yang sama muncul sebagai dua kontak? Gabungkan kontak lain ke kontak ini. Anda akan melihat apa yang pindah sebelum menyetujui.",
        "The same person appears as two contacts? Merge the other contact into this one. You will see what moves before you agree.",
    ),
    (
        "merge.other",
        "Nomor kontak lain (#)",
        "Other contact's number (#)",
    ),
    ("merge.preview", "Lihat pratinjau", "Preview"),
    (
        "merge.explain",
        "Semua yang ada di kontak lain pindah ke kontak ini, lalu kontak lain ditutup. Penggabungan bisa diurungkan.",
        "Everything on the other contact moves to this one, and the other contact is closed. A merge can be undone.",
    ),
    ("merge.moving", "Pindah dari", "Moves from"),
    ("merge.keeps", "Tetap di", "Stays on"),
    ("merge.after", "Setelah digabung", "After the merge"),
    ("merge.rows_moved", "baris pindah", "rows move"),
    ("merge.confirm", "Ya, gabungkan", "Yes, merge"),
    (
        "merge.undo_hint",
        "Bisa diurungkan dari riwayat penggabungan di halaman kontak.",
        "It can be undone from the merge history on the contact page.",
    ),
    ("merge.history", "Riwayat penggabungan", "Merge history"),
    ("merge.none", "Belum pernah digabung.", "Never merged."),
    ("merge.undo", "Urungkan", "Undo"),
    ("merge.undone", "diurungkan", "undone"),
    (
        "table.channel_identities",
        "Identitas kanal",
        "Channel identities",
    ),
    ("reviews.title", "Tinjauan identitas", "Identity reviews"),
    (
        "reviews.intro",
        "Identitas yang cocok dengan lebih dari satu anggota (misalnya telepon rumah bersama). Pilih anggota yang benar, atau abaikan.",
        "Identities that match more than one member (a shared home phone, say). Pick the right member, or dismiss.",
    ),
    (
        "reviews.none",
        "Tidak ada yang perlu ditinjau.",
        "Nothing to review.",
    ),
    ("reviews.reason", "Alasan", "Reason"),
    (
        "reviews.reason.ambiguous",
        "cocok dengan beberapa anggota",
        "matches several members",
    ),
    (
        "reviews.reason.conflict",
        "cocok dengan anggota lain dari anggota kontaknya",
        "matches another member than the contact's",
    ),
    ("reviews.candidates", "Kandidat", "Candidates"),
    ("reviews.link_to", "Hubungkan ke", "Link to"),
    ("reviews.open_member", "lihat", "open"),
    ("reviews.dismiss", "Abaikan", "Dismiss"),
    (
        "reviews.linked",
        "Identitas dihubungkan ke anggota.",
        "The identity was linked to the member.",
    ),
    (
        "reviews.dismissed",
        "Tinjauan diabaikan.",
        "Review dismissed.",
    ),
    (
        "import.title",
        "Impor anggota dari CSV",
        "Import members from CSV",
    ),
    (
        "import.intro",
        "Kolom: member_no, nik, name (wajib), gender, birth_date, birth_place, phones (pisahkan dengan ;), email, province, regency, district, village, street, occupation, status, joined_on. Berkas UTF-8, pemisah koma atau titik koma. Tidak ada yang disimpan selama masih ada baris salah, kecuali Anda memilih hanya mengimpor baris yang benar.",
        "Columns: member_no, nik, name (required), gender, birth_date, birth_place, phones (separated by ;), email, province, regency, district, village, street, occupation, status, joined_on. UTF-8, separated by commas or semicolons. Nothing is saved while any row is bad, unless you choose to import the good rows only.",
    ),
    ("import.file", "Pilih berkas CSV", "Choose a CSV file"),
    ("import.text", "Isi CSV", "CSV content"),
    (
        "import.not_utf8",
        "Berkas ini bukan UTF-8. Simpan sebagai \"CSV UTF-8\" lalu coba lagi.",
        "This file is not UTF-8. Save it as \"CSV UTF-8\" and try again.",
    ),
    (
        "import.dry_run",
        "Periksa saja (belum disimpan)",
        "Check only (save nothing)",
    ),
    (
        "import.skip_bad",
        "Impor baris yang benar saja",
        "Import the good rows only",
    ),
    ("import.submit", "Kirim", "Submit"),
    ("import.checked", "Hasil pemeriksaan", "Check result"),
    ("import.result", "Hasil impor", "Import result"),
    ("import.rows", "Baris dibaca", "Rows read"),
    ("import.valid", "Baris benar", "Good rows"),
    ("import.bad", "Kesalahan", "Errors"),
    ("import.imported", "Anggota disimpan", "Members saved"),
    (
        "import.dry_run_done",
        "Ini hanya pemeriksaan; belum ada yang disimpan. Hapus centang \"Periksa saja\" untuk mengimpor.",
        "This was only a check; nothing was saved. Untick \"Check only\" to import.",
    ),
    (
        "import.nothing",
        "Tidak ada yang disimpan karena ada baris yang salah.",
        "Nothing was saved because some rows are bad.",
    ),
    ("import.line", "Baris", "Line"),
    ("import.field", "Kolom", "Field"),
    ("import.reason", "Masalah", "Problem"),
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
    ("nav.channels", "Kanal", "Channels"),
    ("nav.conversations", "Percakapan", "Conversations"),
    ("nav.simulator", "Simulator", "Simulator"),
    ("channels.title", "Kanal", "Channels"),
    (
        "channels.intro",
        "Kanal pesan koperasi. Tempel URL webhook setiap kanal di konsol penyedianya agar pesan anggota masuk ke sini.",
        "The cooperative's messaging channels. Paste each channel's webhook URL into its provider's console so members' messages arrive here.",
    ),
    ("channels.none", "Belum ada kanal.", "No channels yet."),
    ("channels.kind", "Jenis", "Kind"),
    ("channels.name", "Nama", "Name"),
    ("channels.status", "Status", "Status"),
    ("channels.webhook", "URL webhook", "Webhook URL"),
    (
        "channels.webhook_hint",
        "Tempel alamat ini di konsol penyedia sebagai URL webhook (callback).",
        "Paste this address into the provider's console as the webhook (callback) URL.",
    ),
    ("channels.active", "aktif", "active"),
    ("channels.inactive", "nonaktif", "inactive"),
    ("channels.add", "Tambah kanal", "Add channel"),
    ("channels.choose_kind", "Jenis kanal", "Channel kind"),
    ("channels.base_url", "Alamat API", "API address"),
    (
        "channels.base_url_hint",
        "Kosongkan untuk API resmi penyedia.",
        "Leave empty for the provider's public API.",
    ),
    ("channels.credentials", "Kredensial", "Credentials"),
    (
        "channels.secret_hint",
        "Rahasia disimpan terenkripsi dan tidak pernah ditampilkan utuh lagi.",
        "Secrets are stored encrypted and never shown in full again.",
    ),
    (
        "channels.secret_keep",
        "Kosongkan untuk tetap memakai nilai sekarang.",
        "Leave empty to keep the current value.",
    ),
    (
        "channels.retype_secrets",
        "Demi keamanan, rahasia tidak ditampilkan kembali: ketik ulang.",
        "For safety, secrets are not shown again: type them again.",
    ),
    ("channels.settings", "Pengaturan", "Settings"),
    ("channels.secrets", "Rahasia", "Secrets"),
    ("channels.created_at", "Dibuat", "Created"),
    ("channels.edit", "Ubah kanal", "Change channel"),
    ("channels.activate", "Aktifkan", "Activate"),
    ("channels.deactivate", "Nonaktifkan", "Deactivate"),
    ("channels.test", "Tes koneksi", "Test connection"),
    ("channels.test_ok", "Koneksi berhasil", "Connection works"),
    ("channels.test_failed", "Koneksi gagal", "Connection failed"),
    ("channels.created", "Kanal ditambahkan.", "Channel added."),
    (
        "channels.saved",
        "Perubahan kanal disimpan.",
        "Channel changes saved.",
    ),
    (
        "channels.activated",
        "Kanal diaktifkan.",
        "Channel activated.",
    ),
    (
        "channels.deactivated",
        "Kanal dinonaktifkan.",
        "Channel deactivated.",
    ),
    (
        "cred.phone_number_id",
        "ID nomor telepon",
        "Phone number ID",
    ),
    ("cred.access_token", "Token akses", "Access token"),
    ("cred.app_secret", "Rahasia aplikasi", "App secret"),
    ("cred.verify_token", "Token verifikasi", "Verify token"),
    ("cred.page_id", "ID halaman", "Page ID"),
    ("cred.bot_token", "Token bot", "Bot token"),
    (
        "cred.secret_token",
        "Token rahasia webhook",
        "Webhook secret token",
    ),
    (
        "cred.channel_access_token",
        "Token akses kanal",
        "Channel access token",
    ),
    ("cred.channel_secret", "Rahasia kanal", "Channel secret"),
    (
        "cred.allowed_origins",
        "Situs yang boleh memasang widget (pisahkan dengan koma, atau *)",
        "Sites that may embed the widget (comma-separated, or *)",
    ),
    (
        "cred.address",
        "Alamat surel kanal",
        "Channel e-mail address",
    ),
    ("cred.imap_host", "Server IMAP", "IMAP server"),
    ("cred.imap_port", "Port IMAP (993)", "IMAP port (993)"),
    (
        "cred.imap_tls",
        "TLS IMAP (tls atau none)",
        "IMAP TLS (tls or none)",
    ),
    ("cred.smtp_host", "Server SMTP", "SMTP server"),
    ("cred.smtp_port", "Port SMTP (587)", "SMTP port (587)"),
    (
        "cred.smtp_tls",
        "TLS SMTP (starttls, tls atau none)",
        "SMTP TLS (starttls, tls or none)",
    ),
    ("cred.username", "Nama pengguna", "User name"),
    ("cred.password", "Kata sandi", "Password"),
    (
        "cred.widget_secret",
        "Rahasia widget (kosongkan: dibuat otomatis)",
        "Widget secret (leave empty: made for you)",
    ),
    ("cred.user_id", "ID pengguna", "User ID"),
    (
        "cred.consumer_secret",
        "Rahasia konsumen",
        "Consumer secret",
    ),
    ("conversations.title", "Percakapan", "Conversations"),
    (
        "conversations.intro",
        "Percakapan dengan anggota dan pelanggan di semua kanal, terbaru di atas.",
        "Conversations with members and customers on every channel, most recent first.",
    ),
    (
        "conversations.none",
        "Belum ada percakapan.",
        "No conversations yet.",
    ),
    ("conversations.contact", "Kontak", "Contact"),
    (
        "conversations.last_message",
        "Pesan terakhir",
        "Last message",
    ),
    (
        "conversations.no_messages",
        "Belum ada pesan.",
        "No messages yet.",
    ),
    ("conversations.reply", "Balasan", "Reply"),
    ("conversations.send", "Kirim", "Send"),
    ("conversations.resend", "Kirim ulang", "Send again"),
    (
        "conversations.resent",
        "Pesan diantrekan untuk dikirim ulang.",
        "The message is queued to be sent again.",
    ),
    ("conversations.system", "sistem", "system"),
    ("conv.status.open", "terbuka", "open"),
    ("conv.status.resolved", "selesai", "resolved"),
    ("msg.status.received", "diterima", "received"),
    ("msg.status.queued", "antre", "queued"),
    ("msg.status.sent", "terkirim", "sent"),
    ("msg.status.delivered", "sampai", "delivered"),
    ("msg.status.read", "dibaca", "read"),
    ("msg.status.failed", "gagal", "failed"),
    ("simulator.title", "Simulator kanal", "Channel simulator"),
    (
        "simulator.intro",
        "Menulis sebagai anggota, tanpa akun di penyedia mana pun: pesan dikirim sebagai webhook bertanda tangan ke server ini, lalu muncul di Percakapan. Balasan yang diterima penyedia tiruan tampil di ponsel anggota di sebelah kanan.",
        "Write as a member, without an account at any provider: the message is delivered as a signed webhook to this server and shows up in Conversations. Replies the fake provider receives appear on the member's phone on the right.",
    ),
    (
        "simulator.no_channels",
        "Belum ada kanal untuk disimulasikan.",
        "There is no channel to simulate yet.",
    ),
    (
        "simulator.write_as",
        "Menulis sebagai anggota di",
        "Write as a member on",
    ),
    (
        "simulator.from",
        "ID pengirim di kanal",
        "Sender's ID on the channel",
    ),
    (
        "simulator.from_hint",
        "Nomor WhatsApp tanpa +, ID Telegram, atau ID apa saja untuk kanal lain.",
        "A WhatsApp number without +, a Telegram id, or any id on other channels.",
    ),
    ("simulator.name", "Nama pengirim", "Sender's name"),
    ("simulator.text", "Pesan", "Message"),
    (
        "simulator.send",
        "Kirim sebagai anggota",
        "Send as the member",
    ),
    ("simulator.phone", "Ponsel", "Phone"),
    (
        "simulator.empty",
        "Belum ada pesan di ponsel ini.",
        "No messages on this phone yet.",
    ),
    (
        "simulator.sent",
        "Pesan dikirim ke webhook. Lihat di Percakapan.",
        "The message was delivered to the webhook. See it in Conversations.",
    ),
    (
        "simulator.failed",
        "Webhook menolak pesan",
        "The webhook refused the message",
    ),
    (
        "simulator.need_from",
        "Isi ID pengirim.",
        "Fill in the sender's ID.",
    ),
    (
        "simulator.need_text",
        "Tulis pesannya.",
        "Write the message.",
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
        // Flash messages and refusals named by key in the page handlers (`?ok=key`).
        let pages = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/src/pages")).unwrap();
        for entry in pages {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            let flash = text.split("ok=").skip(1).map(|p| {
                let end = p.find(|c: char| !(c.is_ascii_lowercase() || c == '_' || c == '.'));
                &p[..end.unwrap_or(p.len())]
            });
            let literals = text.split('"').skip(1).step_by(2).filter(|l| {
                l.contains('.')
                    && !l.ends_with(".html")
                    && l.chars()
                        .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.')
            });
            for key in flash.chain(literals).filter(|k| !k.is_empty()) {
                assert!(seen.contains(key), "key {key:?} is used but not defined");
            }
        }
        assert!(
            checked > 50,
            "only {checked} uses found; is the scan broken?"
        );
        for lang in [Lang::Id, Lang::En] {
            let t = Tr(lang);
            for r in guyub_domain::Role::ALL {
                assert_ne!(t.role(&r), "??");
            }
            // Names built from data at run time.
            let mut dynamic: Vec<String> = Vec::new();
            dynamic
                .extend(guyub_domain::MemberStatus::ALL.map(|s| format!("status.{}", s.as_str())));
            dynamic.extend(guyub_domain::IdentityKind::ALL.map(|k| format!("kind.{}", k.as_str())));
            dynamic.extend(
                guyub_store::contacts::CONTACT_OWNED
                    .iter()
                    .map(|t| format!("table.{t}")),
            );
            dynamic.extend(
                guyub_connectors::ChannelKind::ALL
                    .iter()
                    .flat_map(|k| k.credential_keys().iter().map(|(c, _)| format!("cred.{c}"))),
            );
            for st in ["received", "queued", "sent", "delivered", "read", "failed"] {
                dynamic.push(format!("msg.status.{st}"));
            }
            for st in ["open", "resolved"] {
                dynamic.push(format!("conv.status.{st}"));
            }
            for k in [
                "gender.L",
                "gender.P",
                "reviews.reason.ambiguous",
                "reviews.reason.conflict",
            ] {
                dynamic.push(k.into());
            }
            for k in dynamic {
                assert_ne!(t.s(&k), "??", "{k} is not translated");
            }
        }
    }
}
