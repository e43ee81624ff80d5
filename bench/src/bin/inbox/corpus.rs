//! Made-up but plausible inbox text: what members of a savings-and-loan and farmers'
//! cooperative write on WhatsApp, Instagram, Telegram, e-mail and the web chat, and what
//! agents answer. Sentences are put together from fragments, so a small vocabulary
//! (about 400 words, in their affixed forms) gives varied messages with a skewed word
//! frequency: greetings and "pinjaman" are everywhere, "gempa" is rare.

use rand::Rng;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;

pub const FIRST: &[&str] = &[
    "Siti", "Budi", "Agus", "Dewi", "Wayan", "Made", "Nyoman", "Ketut", "Rina", "Sri", "Joko",
    "Bambang", "Hendra", "Yusuf", "Ahmad", "Fitri", "Nur", "Rahmat", "Eko", "Dian", "Putri", "Ayu",
    "Indah", "Lestari", "Rudi", "Slamet", "Sugeng", "Wahyu", "Teguh", "Asep", "Ujang", "Dadang",
    "Euis", "Neneng", "Cecep", "Ani", "Tuti", "Yanti", "Mega", "Ratna", "Hadi", "Irfan", "Fajar",
    "Rizki", "Andi", "Daeng", "Ucok", "Butet", "Maria", "Yohanes", "Petrus", "Kadek", "Komang",
    "Gede", "Ida", "Lina", "Wati", "Sumarni", "Paijo", "Tarno",
];
pub const LAST: &[&str] = &[
    "Santoso",
    "Wijaya",
    "Saputra",
    "Lestari",
    "Hidayat",
    "Nugroho",
    "Kusuma",
    "Pratama",
    "Setiawan",
    "Susanto",
    "Gunawan",
    "Siregar",
    "Nasution",
    "Harahap",
    "Simanjuntak",
    "Sitompul",
    "Sudarta",
    "Wirawan",
    "Suparman",
    "Rahayu",
    "Utami",
    "Kurniawan",
    "Hakim",
    "Firmansyah",
    "Ramadhan",
    "Purnomo",
    "Handayani",
    "Wulandari",
    "Syahputra",
    "Manurung",
    "Tanjung",
    "Lubis",
    "Pohan",
    "Daulay",
    "Sembiring",
    "Ginting",
    "Tarigan",
    "Sinaga",
    "Panjaitan",
    "Pangaribuan",
    "Mahendra",
    "Permana",
    "Sasmita",
    "Suryadi",
    "Hartono",
    "Salim",
    "Halim",
    "Basri",
    "Latif",
    "Maulana",
    "Anwar",
    "Iskandar",
    "Sofyan",
    "Taufik",
    "Zulkarnain",
    "Ardiansyah",
    "Prasetyo",
    "Yulianti",
    "Ningsih",
    "Astuti",
];

const GREETING: &[&str] = &[
    "Assalamualaikum",
    "Selamat pagi",
    "Selamat siang",
    "Selamat sore",
    "Permisi",
    "Halo kak",
    "Pagi bu",
    "Siang pak",
    "Om swastiastu",
    "Salam sejahtera",
    "Maaf mengganggu",
];
const ASK: &[&str] = &[
    "saya mau tanya",
    "mau menanyakan",
    "boleh tanya",
    "mohon info",
    "mau konfirmasi",
    "minta tolong dicek",
    "saya ingin tahu",
    "mohon penjelasan",
];
const TOPIC: &[&str] = &[
    "pinjaman saya",
    "pengajuan pinjaman",
    "pencairan pinjaman",
    "angsuran bulan ini",
    "cicilan pinjaman",
    "simpanan wajib",
    "simpanan sukarela",
    "simpanan pokok",
    "saldo simpanan",
    "tabungan pendidikan anak",
    "tabungan hari raya",
    "pembagian SHU tahun lalu",
    "sisa hasil usaha",
    "denda keterlambatan",
    "pelunasan pinjaman",
    "kredit usaha mikro",
    "pendaftaran anggota baru",
    "keanggotaan istri saya",
    "rapat anggota tahunan",
    "harga pupuk subsidi",
    "stok beras di toko koperasi",
    "pengiriman gabah",
    "harga jual kopi",
    "pembelian minyak goreng",
    "jadwal buka kantor",
    "nomor rekening koperasi",
    "kartu anggota yang hilang",
    "asuransi jiwa pinjaman",
    "potongan gaji",
    "bunga pinjaman",
];
const TOPIC_RARE: &[&str] = &[
    "bantuan korban gempa",
    "klaim asuransi kebakaran",
    "kerusakan mesin penggilingan",
    "sertifikat tanah sebagai jaminan",
    "beasiswa anak anggota",
    "pelatihan budidaya lele",
    "sengketa warisan simpanan",
    "penggantian buku tabungan yang basah",
];
const DETAIL: &[&str] = &[
    "sudah saya transfer kemarin tapi belum masuk",
    "kenapa dipotong lagi",
    "kapan bisa dicairkan",
    "apakah bisa dibayar lewat transfer",
    "berapa lama prosesnya",
    "syaratnya apa saja",
    "bisa diangsur tidak",
    "saya sudah datang ke kantor tapi tutup",
    "mohon segera diproses",
    "tolong dibantu ya",
    "terima kasih sebelumnya",
    "saya tunggu kabarnya",
    "apakah ada keringanan",
    "saya belum menerima bukti pembayaran",
    "statusnya masih menunggu persetujuan",
    "mau meminjam lagi untuk modal usaha",
    "mau menyetor simpanan lewat teller",
    "apakah bisa menarik tabungan sebagian",
    "pinjamannya macet karena panen gagal",
    "usaha warung saya sedang sepi",
];
const REPLY: &[&str] = &[
    "pengajuan pinjaman Bapak/Ibu sedang kami proses",
    "angsuran bisa dibayarkan lewat teller atau transfer ke rekening koperasi",
    "simpanan sudah kami terima, terima kasih",
    "mohon kirimkan bukti transfer agar kami cek",
    "silakan datang ke kantor dengan membawa kartu anggota",
    "pencairan dijadwalkan minggu depan",
    "denda keterlambatan dihitung per hari",
    "SHU dibagikan setelah rapat anggota tahunan",
    "saldo simpanan bisa dicek di buku tabungan",
    "kami teruskan ke bagian pinjaman",
    "mohon maaf atas ketidaknyamanannya",
    "pembayaran sudah kami catat",
    "pendaftaran bisa dilakukan di kantor cabang",
    "stok pupuk akan datang minggu ini",
];

pub fn person(rng: &mut StdRng) -> (String, String) {
    (
        FIRST.choose(rng).unwrap_or(&"Siti").to_string(),
        LAST.choose(rng).unwrap_or(&"Santoso").to_string(),
    )
}

fn pick<'a>(rng: &mut StdRng, list: &[&'a str]) -> &'a str {
    list.choose(rng).copied().unwrap_or("")
}

/// An amount as people write it: `Rp1.500.000`, `Rp 250.000`, `2 juta`.
pub fn amount(rng: &mut StdRng) -> String {
    let thousands = rng.random_range(1..=200) * 50;
    match rng.random_range(0..3) {
        0 => format!("Rp{}", dotted(thousands * 1000)),
        1 => format!("Rp {}", dotted(thousands * 1000)),
        _ => format!("{} juta", (thousands / 1000).max(1)),
    }
}

pub fn dotted(n: i64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// A member's message. `member_no` and `phone` are the writer's, mentioned now and then.
pub fn inbound(rng: &mut StdRng, member_no: Option<&str>, phone: Option<&str>) -> String {
    let mut s = String::new();
    if rng.random_bool(0.7) {
        s.push_str(pick(rng, GREETING));
        s.push_str(", ");
    }
    s.push_str(pick(rng, ASK));
    s.push(' ');
    if rng.random_bool(0.02) {
        s.push_str(pick(rng, TOPIC_RARE));
    } else {
        s.push_str(pick(rng, TOPIC));
    }
    if rng.random_bool(0.3) {
        s.push_str(&format!(" bulan {}", pick(rng, &guyub_domain::BULAN)));
    }
    s.push_str(". ");
    let detail = pick(rng, DETAIL);
    let mut chars = detail.chars();
    if let Some(c) = chars.next() {
        s.extend(c.to_uppercase());
        s.push_str(chars.as_str());
    }
    if rng.random_bool(0.25) {
        s.push_str(&format!(", jumlahnya {}", amount(rng)));
    }
    if rng.random_bool(0.1) {
        s.push_str(&format!(
            ", tanggal {}/{:02}/2025",
            rng.random_range(1..=28),
            rng.random_range(1..=12)
        ));
    }
    s.push('.');
    if let Some(no) = member_no.filter(|_| rng.random_bool(0.15)) {
        s.push_str(&format!(" No anggota saya {no}."));
    }
    if let Some(p) = phone.filter(|_| rng.random_bool(0.05)) {
        s.push_str(&format!(" WA saya {p}."));
    }
    if rng.random_bool(0.3) {
        s.push_str(" 🙏");
    }
    s
}

/// An agent's answer.
pub fn outbound(rng: &mut StdRng, name: &str) -> String {
    let title = if rng.random_bool(0.5) { "Bapak" } else { "Ibu" };
    let mut s = format!("Baik {title} {name}, {}.", pick(rng, REPLY));
    if rng.random_bool(0.4) {
        s.push_str(&format!(" {}.", capitalised(pick(rng, REPLY))));
    }
    if rng.random_bool(0.2) {
        s.push_str(&format!(" Totalnya {}.", amount(rng)));
    }
    s
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Query words: one topic word in one of its forms (what an agent types).
pub const QUERY_WORDS: &[&[&str]] = &[
    &[
        "pinjaman",
        "meminjam",
        "pinjam",
        "dipinjamkan",
        "peminjaman",
    ],
    &["simpanan", "menyimpan", "simpan", "penyimpanan"],
    &["angsuran", "mengangsur", "diangsur", "angsur"],
    &["cicilan", "mencicil", "dicicil"],
    &["tabungan", "menabung", "tabung"],
    &["pencairan", "dicairkan", "cair", "mencairkan"],
    &["pembayaran", "membayar", "dibayarkan", "bayar"],
    &["transfer", "ditransfer", "mentransfer"],
    &["denda", "didenda"],
    &["pupuk"],
    &["beras"],
    &["kopi"],
    &["gabah"],
    &["rekening"],
    &["keanggotaan", "anggota"],
    &["pendaftaran", "mendaftar", "daftar"],
    &["pelunasan", "melunasi", "lunas"],
    &["potongan", "dipotong", "memotong"],
    &["bunga"],
    &["macet"],
    &["asuransi"],
    &["persetujuan", "disetujui", "menyetujui"],
    &["keterlambatan", "terlambat"],
    &["usaha", "pengusaha"],
    &["wajib"],
    &["sukarela"],
    &["SHU"],
    &["kantor"],
    &["bukti"],
    &["keringanan", "ringan"],
];
pub const RARE_WORDS: &[&str] = &[
    "gempa",
    "kebakaran",
    "penggilingan",
    "sertifikat",
    "beasiswa",
    "lele",
    "warisan",
    "basah",
];
pub const ABSENT_WORDS: &[&str] = &[
    "astronot",
    "zebra",
    "kapal selam",
    "bitcoin",
    "sepak bola",
    "vaksinasi",
    "tsunami",
    "helikopter",
];

pub fn query_word(rng: &mut StdRng) -> String {
    let forms = QUERY_WORDS.choose(rng).copied().unwrap_or(&["pinjaman"]);
    pick(rng, forms).to_string()
}
