#!/usr/bin/env python3
"""Writes the seed corpus, fuzz/corpus/<target>/seed-*: realistic payloads, mostly the
ones the connectors' unit tests use. Run it again after changing a seed here; files the
fuzzer adds to a corpus folder (named by hash) are ignored by git."""

import base64
import hashlib
import hmac
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def j(v):
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


# --- WhatsApp Cloud API -------------------------------------------------------------
WA_INBOUND = r'''{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Siti R"},"wa_id":"6281234500001"}],"messages":[{"from":"6281234500001","id":"wamid.HBgNNjI4MTIzNDUwMDAwMRUCABIYFjNFQjA","timestamp":"1732400000","type":"text","text":{"body":"Saldo simpanan saya berapa?"}},{"from":"6281234500001","id":"wamid.IMG","timestamp":"1732400001","type":"image","image":{"caption":"bukti transfer","mime_type":"image/jpeg","sha256":"abc","id":"1479537139650973"}}],"statuses":[{"id":"wamid.OUT1","status":"read","timestamp":"1732400002","recipient_id":"6281234500001"}]},"field":"messages"}]}]}'''
write("whatsapp", "inbound", WA_INBOUND)
wa_kinds = [
    {"type": "location", "location": {"latitude": -6.2, "longitude": 106.8, "name": "Kantor"}},
    {"type": "contacts", "contacts": [{"name": {"formatted_name": "Budi"}, "phones": [{"phone": "+62 812"}]}]},
    {"type": "reaction", "reaction": {"message_id": "wamid.A", "emoji": "👍"}},
    {"type": "interactive", "interactive": {"type": "button_reply", "button_reply": {"id": "saldo", "title": "Cek saldo"}}},
    {"type": "interactive", "interactive": {"type": "list_reply", "list_reply": {"id": "angsuran", "title": "Jadwal angsuran"}}},
    {"type": "button", "button": {"payload": "ya", "text": "Ya"}},
    {"type": "audio", "audio": {"id": "9", "mime_type": "audio/ogg"}},
    {"type": "document", "document": {"id": "8", "filename": "ktp.pdf"}},
    {"type": "sticker", "sticker": {"id": "7"}},
    {"type": "video", "video": {"id": "6"}},
    {"type": "text", "text": {"body": "Halo"}, "context": {"id": "wamid.PREV"}},
    {"type": "unsupported"},
]
for i, m in enumerate(wa_kinds):
    m = dict(m, **{"from": "6281234500001", "id": f"wamid.K{i}", "timestamp": "1732400000"})
    write("whatsapp", f"event-{m['type']}-{i}", j({"contacts": [{"profile": {"name": "Siti R"}, "wa_id": "6281234500001"}], "message": m}))
write("whatsapp", "event-status-failed", j({"status": {"id": "wamid.OUT2", "status": "failed", "timestamp": "1732400003", "recipient_id": "6281234500001", "errors": [{"code": 131047, "title": "Re-engagement message", "error_data": {"details": "More than 24 hours have passed"}}]}}))
write("whatsapp", "statuses-only", j({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages", "value": {"statuses": [{"id": "wamid.OUT3", "status": "delivered", "timestamp": 1732400004}, {"id": "wamid.OUT3", "status": "sent", "timestamp": "1732400003"}]}}]}]}))

# --- Messenger and Instagram ----------------------------------------------------------
MESSENGER = r'''{"object":"page","entry":[{"id":"PAGE","time":1,"messaging":[
    {"sender":{"id":"PSID1"},"recipient":{"id":"PAGE"},"timestamp":1732400000000,"message":{"mid":"m_1","text":"Halo koperasi"}},
    {"sender":{"id":"PSID1"},"recipient":{"id":"PAGE"},"timestamp":1732400000001,"message":{"mid":"m_2","attachments":[{"type":"image","payload":{"url":"https://cdn/x.jpg"}}]}},
    {"sender":{"id":"PAGE"},"recipient":{"id":"PSID1"},"timestamp":1732400000002,"message":{"mid":"m_3","is_echo":true,"text":"balasan"}},
    {"sender":{"id":"PSID1"},"recipient":{"id":"PAGE"},"timestamp":1732400000003,"delivery":{"mids":["m_out1","m_out2"],"watermark":1732400000000}},
    {"sender":{"id":"PSID1"},"recipient":{"id":"PAGE"},"timestamp":1732400000004,"read":{"watermark":1732400000003}},
    {"sender":{"id":"PSID1"},"recipient":{"id":"PAGE"},"timestamp":1732400000005,"postback":{"mid":"m_4","title":"Cek saldo","payload":"SALDO"}},
    {"sender":{"id":"PSID1"},"recipient":{"id":"PAGE"},"timestamp":1732400000006,"message":{"mid":"m_5","text":"Ya","quick_reply":{"payload":"YA"}}}
]}]}'''
write("meta", "messenger", MESSENGER)
ig = [
    {"message": {"mid": "ig_1", "text": "Halo dari IG", "reply_to": {"mid": "ig_0"}}},
    {"reaction": {"mid": "ig_out1", "action": "react", "reaction": "love", "emoji": "❤️"}},
    {"reaction": {"mid": "ig_out1", "action": "unreact"}},
    {"message": {"mid": "ig_2", "attachments": [{"type": "location", "title": "Kantor", "payload": {"coordinates": {"lat": -6.2, "long": 106.8}}}]}},
    {"message": {"mid": "ig_3", "attachments": [{"type": "image", "payload": {"url": "https://cdn/s.png", "sticker_id": 369239263222822}}]}},
    {"message": {"mid": "ig_4", "attachments": [{"type": "file", "payload": {"url": "https://cdn/a.pdf"}}]}},
    {"message": {"mid": "ig_5", "attachments": [{"type": "story_mention", "payload": {"url": "https://cdn/st"}}]}},
    {"postback": {"title": "Mulai", "payload": "GET_STARTED"}},
    {"optin": {"ref": "x"}},
]
items = []
for i, e in enumerate(ig):
    items.append(dict({"sender": {"id": "IGSID1"}, "recipient": {"id": "IGID"}, "timestamp": 1732400000100 + i}, **e))
write("meta", "instagram", j({"object": "instagram", "entry": [{"id": "IGID", "time": 1, "messaging": items}]}))
for i, e in enumerate(items):
    write("meta", f"event-{i}", j(e))

# --- Telegram ---------------------------------------------------------------------
tg = {
    "text": r'''{"update_id":10000,"message":{"message_id":1365,"from":{"id":500123456,"is_bot":false,"first_name":"Dewi","last_name":"L","username":"dewil"},"chat":{"id":500123456,"type":"private"},"date":1732400000,"text":"Jadwal angsuran saya?"}}''',
    "photo": r'''{"update_id":1,"message":{"message_id":2,"from":{"id":5},"chat":{"id":5},"date":1,"caption":"bukti","photo":[{"file_id":"small"},{"file_id":"big"}]}}''',
    "callback": r'''{"update_id":2,"callback_query":{"id":"77","from":{"id":5},"message":{"message_id":9,"chat":{"id":5}},"data":"SALDO"}}''',
    "edited": r'''{"update_id":3,"edited_message":{}}''',
    "location": r'''{"update_id":4,"message":{"message_id":3,"from":{"id":5},"chat":{"id":5},"date":1,"location":{"latitude":-7.0,"longitude":110.4},"venue":{"title":"Kantor","address":"Jl. Merdeka 1"}}}''',
    "reaction": r'''{"update_id":5,"message_reaction":{"chat":{"id":5,"type":"private"},"message_id":12,"user":{"id":5,"first_name":"Dewi"},"date":1732400005,"old_reaction":[],"new_reaction":[{"type":"emoji","emoji":"👍"}]}}''',
    "contact": r'''{"update_id":6,"message":{"message_id":4,"from":{"id":5},"chat":{"id":5},"date":1,"contact":{"phone_number":"+6281234500001","first_name":"Budi","last_name":"S"}}}''',
    "document": r'''{"update_id":7,"message":{"message_id":5,"from":{"id":5},"chat":{"id":5},"date":1,"document":{"file_id":"doc1","file_name":"ktp.pdf","mime_type":"application/pdf"},"reply_to_message":{"message_id":4}}}''',
    "voice": r'''{"update_id":8,"message":{"message_id":6,"from":{"id":5},"chat":{"id":-100200,"type":"group"},"date":1,"voice":{"file_id":"v1","mime_type":"audio/ogg"}}}''',
}
for name, body in tg.items():
    write("telegram", name, body)

# --- LINE -------------------------------------------------------------------------
LINE = r'''{"destination":"Ubot","events":[{"type":"message","message":{"type":"text","id":"14353798921116","text":"Halo"},"webhookEventId":"01FZ74A0TDDPYRVKNK77XKC3ZR","deliveryContext":{"isRedelivery":false},"timestamp":1732400000000,"source":{"type":"user","userId":"U4af4980629"},"replyToken":"757913772c4646b784d4b7ce46d12671","mode":"active"},{"type":"follow","webhookEventId":"01FZ74A0TDDPYRVKNK77XKC3ZS","timestamp":1,"source":{"type":"user","userId":"U4af4980629"},"mode":"active"}]}'''
write("line", "events", LINE)
write("line", "verify-empty", r'''{"destination":"U","events":[]}''')
line_events = [
    {"type": "postback", "postback": {"data": "action=saldo"}},
    {"type": "message", "message": {"type": "sticker", "id": "1", "packageId": "446", "stickerId": "1988"}},
    {"type": "message", "message": {"type": "location", "id": "2", "title": "Kantor", "address": "Jl. Merdeka 1", "latitude": -6.2, "longitude": 106.8}},
    {"type": "message", "message": {"type": "image", "id": "3", "contentProvider": {"type": "line"}}},
    {"type": "message", "message": {"type": "file", "id": "4", "fileName": "ktp.pdf", "fileSize": 2048}},
    {"type": "unfollow"},
]
evs = []
for i, e in enumerate(line_events):
    e = dict(e, webhookEventId=f"01FZ74A0TDDPYRVKNK77XKC4{i}", timestamp=1732400000000 + i, source={"type": "user", "userId": "U4af4980629"}, replyToken=f"rt{i}", mode="active")
    evs.append(e)
    write("line", f"event-{e['type']}-{i}", j(e))
write("line", "more-events", j({"destination": "Ubot", "events": evs}))

# --- X ----------------------------------------------------------------------------
X = r'''{"for_user_id":"100","direct_message_events":[{"type":"message_create","id":"954491830116155396","created_timestamp":"1732400000000","message_create":{"target":{"recipient_id":"100"},"sender_id":"200","message_data":{"text":"Halo min"}}},{"type":"message_create","id":"954491830116155397","created_timestamp":"1732400000001","message_create":{"target":{"recipient_id":"200"},"sender_id":"100","message_data":{"text":"balasan"}}}],"users":{"200":{"id":"200","name":"Agus","screen_name":"agus_s"}}}'''
write("x", "dms", X)
write("x", "media", j({"for_user_id": "100", "direct_message_events": [{"type": "message_create", "id": "954491830116155398", "created_timestamp": "1732400000002", "message_create": {"target": {"recipient_id": "100"}, "sender_id": "200", "message_data": {"text": "bukti", "attachment": {"type": "media", "media": {"type": "photo", "media_url_https": "https://pbs/x.jpg"}}}}}], "users": {"200": {"id": "200", "name": "Agus", "screen_name": "agus_s"}}}))
write("x", "event", j({"for_user_id": "100", "event": {"type": "message_create", "id": "1", "created_timestamp": "1732400000000", "message_create": {"sender_id": "200", "message_data": {"text": "Halo", "attachment": {"media": {"type": "animated_gif", "media_url_https": "https://pbs/g.mp4"}}}}}, "user": {"name": "Agus", "screen_name": "agus_s"}}))
write("x", "typing", j({"for_user_id": "100", "direct_message_indicate_typing_events": [{"created_timestamp": "1", "sender_id": "200"}]}))

# --- verify and handshake: first line the header value (or query), then the body ------
# The fuzz targets' credentials are `fuzz-<key>` (see src/lib.rs).
def hmac256(key, body):
    return hmac.new(key.encode(), body, hashlib.sha256).digest()


body = WA_INBOUND.encode()
write("verify_and_handshake", "meta-signed", b"sha256=" + hmac256("fuzz-app_secret", body).hex().encode() + b"\n" + body)
body = LINE.encode()
write("verify_and_handshake", "line-signed", base64.b64encode(hmac256("fuzz-channel_secret", body)) + b"\n" + body)
body = X.encode()
write("verify_and_handshake", "x-signed", b"sha256=" + base64.b64encode(hmac256("fuzz-consumer_secret", body)) + b"\n" + body)
write("verify_and_handshake", "telegram-secret", "fuzz-secret_token\n" + tg["text"])
write("verify_and_handshake", "meta-handshake", "hub.mode=subscribe&hub.verify_token=fuzz-verify_token&hub.challenge=1158201444\n")
write("verify_and_handshake", "meta-handshake-bad", "hub.mode=subscribe&hub.verify_token=salah&hub.challenge=1158201444\n")
write("verify_and_handshake", "x-crc", "crc_token=abc\n")
write("verify_and_handshake", "bad-signature", "sha256=zz\n{}")

# --- domain -------------------------------------------------------------------------
domain = {
    "nik": "3201014501900001",
    "nik-spaced": "3201 0145 0190 0001",
    "nik-male": "3578010101010002",
    "phone-local": "0812-3456-7890",
    "phone-intl": "+62 812 3456 7890",
    "phone-paren": "(0812) 3456\u00a07890",
    "phone-foreign": "0014155550100",
    "date-iso": "2024-02-29",
    "date-dmy": "29/02/2024",
    "member-no": "KGR-000000",
    "member-no-plain": "A-######-X",
    "email": " Siti@Example.ID ",
    "slug": "kopsyah-makmur",
    "status": "calon anggota",
    "gender": "perempuan",
    "lines": "3201014501900001\n2090-01-05\nP\n+6281234567890\nKOP/000/",
}
for name, v in domain.items():
    write("domain", name, v)
