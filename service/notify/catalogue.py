# ruff: noqa: RUF001 - non-Latin scripts are the point of this module
"""SMS wording per language.

Placeholders: {date} and {time} (formatted by Babel in the recipient's locale), {place} (full
address) and {code} (short place code). Non-discreet texts say "appointment", never the kind of
service. The discreet texts carry only date, time and place code, plus at most "new time" or
"cancelled" so that a cancelled booking does not read like a reminder to come.
RTL texts keep the Latin address last and end without a full stop after it, so the
bidi algorithm does not move punctuation to the wrong side.
"""

from __future__ import annotations

from collections.abc import Mapping

CATALOGUE: Mapping[str, Mapping[str, str]] = {
    "en": {
        "confirmation": "Your appointment is confirmed: {date} at {time}, {place}.",
        "reminder": "Reminder: your appointment is on {date} at {time}, {place}.",
        "reschedule": "Your appointment has moved to {date} at {time}, {place}.",
        "cancellation": "Your appointment on {date} at {time} has been cancelled.",
        "enrolment": "You are enrolled. First session: {date} at {time}, {place}.",
        "waitlist_promotion": "A place has opened up for you: {date} at {time}, {place}.",
        "staff_notice": "New assignment: {date} at {time}, {place}.",
        "discreet": "{date} {time}, {code}",
        "discreet_reschedule": "New time: {date} {time}, {code}",
        "discreet_cancellation": "Cancelled: {date} {time}, {code}",
        "help": "Appointment reminders. Reply STOP to stop these messages, "
        "START to get them again.",
        "stop": "You will get no more messages from this number. Reply START to get them again.",
    },
    "bg": {
        "confirmation": "Часът ви е потвърден: {date} в {time}, {place}.",
        "reminder": "Напомняне: часът ви е на {date} в {time}, {place}.",
        "reschedule": "Часът ви е преместен за {date} в {time}, {place}.",
        "cancellation": "Часът ви на {date} в {time} е отменен.",
        "enrolment": "Записани сте. Първо занятие: {date} в {time}, {place}.",
        "waitlist_promotion": "Освободи се място за вас: {date} в {time}, {place}.",
        "staff_notice": "Нов ангажимент: {date} в {time}, {place}.",
        "discreet": "{date} {time}, {code}",
        "discreet_reschedule": "Нов час: {date} {time}, {code}",
        "discreet_cancellation": "Отменено: {date} {time}, {code}",
        "help": "Напомняния за часове. Отговорете STOP, за да спрат съобщенията, "
        "или START, за да ги получавате отново.",
        "stop": "Няма да получавате повече съобщения от този номер. "
        "Отговорете START, за да ги получавате отново.",
    },
    "ru": {
        "confirmation": "Ваша запись подтверждена: {date} в {time}, {place}.",
        "reminder": "Напоминание о записи: {date} в {time}, {place}.",
        "reschedule": "Ваша запись перенесена: {date} в {time}, {place}.",
        "cancellation": "Ваша запись ({date}, {time}) отменена.",
        "enrolment": "Вы записаны. Первое занятие: {date} в {time}, {place}.",
        "waitlist_promotion": "Для вас освободилось место: {date} в {time}, {place}.",
        "staff_notice": "Новое назначение: {date} в {time}, {place}.",
        "discreet": "{date} {time}, {code}",
        "discreet_reschedule": "Новое время: {date} {time}, {code}",
        "discreet_cancellation": "Отменено: {date} {time}, {code}",
        "help": "Напоминания о записи. Ответьте STOP, чтобы отписаться, "
        "или START, чтобы снова получать сообщения.",
        "stop": "Вы больше не будете получать сообщения с этого номера. "
        "Ответьте START, чтобы возобновить.",
    },
    "uk": {
        "confirmation": "Ваш запис підтверджено: {date} о {time}, {place}.",
        "reminder": "Нагадування про запис: {date} о {time}, {place}.",
        "reschedule": "Ваш запис перенесено: {date} о {time}, {place}.",
        "cancellation": "Ваш запис ({date}, {time}) скасовано.",
        "enrolment": "Вас записано. Перше заняття: {date} о {time}, {place}.",
        "waitlist_promotion": "Для вас звільнилося місце: {date} о {time}, {place}.",
        "staff_notice": "Нове призначення: {date} о {time}, {place}.",
        "discreet": "{date} {time}, {code}",
        "discreet_reschedule": "Новий час: {date} {time}, {code}",
        "discreet_cancellation": "Скасовано: {date} {time}, {code}",
        "help": "Нагадування про запис. Надішліть STOP, щоб відписатися, "
        "або START, щоб знову отримувати повідомлення.",
        "stop": "Ви більше не отримуватимете повідомлень з цього номера. "
        "Надішліть START, щоб відновити.",
    },
    "fr": {
        "confirmation": "Votre rendez-vous est confirmé : le {date} à {time}, {place}.",
        "reminder": "Rappel : votre rendez-vous est le {date} à {time}, {place}.",
        "reschedule": "Votre rendez-vous est déplacé au {date} à {time}, {place}.",
        "cancellation": "Votre rendez-vous du {date} à {time} est annulé.",
        "enrolment": "Inscription confirmée. Première séance : le {date} à {time}, {place}.",
        "waitlist_promotion": "Une place s'est libérée pour vous : le {date} à {time}, {place}.",
        "staff_notice": "Nouvelle affectation : le {date} à {time}, {place}.",
        "discreet": "{date} {time}, {code}",
        "discreet_reschedule": "Nouvel horaire : {date} {time}, {code}",
        "discreet_cancellation": "Annulé : {date} {time}, {code}",
        "help": "Rappels de rendez-vous. Répondez STOP pour ne plus recevoir de messages, "
        "START pour les recevoir à nouveau.",
        "stop": "Vous ne recevrez plus de messages de ce numéro. "
        "Répondez START pour les recevoir à nouveau.",
    },
    "ar": {
        "confirmation": "تم تأكيد موعدك: {date} الساعة {time}، {place}",
        "reminder": "تذكير: موعدك {date} الساعة {time}، {place}",
        "reschedule": "تم تغيير موعدك إلى: {date} الساعة {time}، {place}",
        "cancellation": "تم إلغاء موعدك يوم {date} الساعة {time}.",
        "enrolment": "تم تسجيلك. الجلسة الأولى: {date} الساعة {time}، {place}",
        "waitlist_promotion": "توفّر مكان لك: {date} الساعة {time}، {place}",
        "staff_notice": "مهمة جديدة: {date} الساعة {time}، {place}",
        "discreet": "{date} {time}، {code}",
        "discreet_reschedule": "الوقت الجديد: {date} {time}، {code}",
        "discreet_cancellation": "ملغى: {date} {time}، {code}",
        "help": "تذكير بالمواعيد. أرسل STOP لإيقاف الرسائل، أو START لاستئنافها.",
        "stop": "لن تصلك رسائل أخرى من هذا الرقم. أرسل START لاستئنافها.",
    },
    "fa": {
        "confirmation": "نوبت شما تأیید شد: {date} ساعت {time}، {place}",
        "reminder": "یادآوری: نوبت شما {date} ساعت {time}، {place}",
        "reschedule": "نوبت شما تغییر کرد: {date} ساعت {time}، {place}",
        "cancellation": "نوبت شما در {date} ساعت {time} لغو شد.",
        "enrolment": "ثبت‌نام شما انجام شد. جلسهٔ اول: {date} ساعت {time}، {place}",
        "waitlist_promotion": "یک نوبت برای شما خالی شد: {date} ساعت {time}، {place}",
        "staff_notice": "وظیفهٔ جدید: {date} ساعت {time}، {place}",
        "discreet": "{date} {time}، {code}",
        "discreet_reschedule": "زمان جدید: {date} {time}، {code}",
        "discreet_cancellation": "لغو شد: {date} {time}، {code}",
        "help": "یادآوری نوبت‌ها. برای قطع پیام‌ها STOP و برای دریافت دوباره START بفرستید.",
        "stop": "دیگر از این شماره پیامی دریافت نمی‌کنید. برای دریافت دوباره START بفرستید.",
    },
    "prs": {
        "confirmation": "وقت ملاقات شما تأیید شد: {date} ساعت {time}، {place}",
        "reminder": "یادآوری: وقت ملاقات شما {date} ساعت {time}، {place}",
        "reschedule": "وقت ملاقات شما تغییر کرد: {date} ساعت {time}، {place}",
        "cancellation": "وقت ملاقات شما در {date} ساعت {time} لغو شد.",
        "enrolment": "شما ثبت‌نام شدید. اولین جلسه: {date} ساعت {time}، {place}",
        "waitlist_promotion": "یک وقت برای شما خالی شد: {date} ساعت {time}، {place}",
        "staff_notice": "وظیفهٔ جدید: {date} ساعت {time}، {place}",
        "discreet": "{date} {time}، {code}",
        "discreet_reschedule": "وقت جدید: {date} {time}، {code}",
        "discreet_cancellation": "لغو شد: {date} {time}، {code}",
        "help": "یادآوری وقت ملاقات. برای توقف پیام‌ها STOP و برای دریافت دوباره START بفرستید.",
        "stop": "دیگر از این شماره پیام دریافت نمی‌کنید. برای دریافت دوباره START بفرستید.",
    },
    "ps": {
        "confirmation": "ستاسو د لیدنې وخت تایید شو: {date} ساعت {time}، {place}",
        "reminder": "یادونه: ستاسو د لیدنې وخت {date} ساعت {time}، {place}",
        "reschedule": "ستاسو د لیدنې وخت بدل شو: {date} ساعت {time}، {place}",
        "cancellation": "ستاسو د {date} ساعت {time} د لیدنې وخت لغوه شو.",
        "enrolment": "تاسو ثبت نام شوي یاست. لومړۍ ناسته: {date} ساعت {time}، {place}",
        "waitlist_promotion": "ستاسو لپاره یو وخت خالي شو: {date} ساعت {time}، {place}",
        "staff_notice": "نوې دنده: {date} ساعت {time}، {place}",
        "discreet": "{date} {time}، {code}",
        "discreet_reschedule": "نوی وخت: {date} {time}، {code}",
        "discreet_cancellation": "لغوه شو: {date} {time}، {code}",
        "help": "د لیدنې د وخت یادونې. د پیغامونو د بندولو لپاره STOP "
        "او بیا د ترلاسه کولو لپاره START ولیږئ.",
        "stop": "تاسو به له دې شمېرې نور پیغامونه ترلاسه نه کړئ. "
        "د بیا ترلاسه کولو لپاره START ولیږئ.",
    },
    "ckb": {
        "confirmation": "ژوانەکەت پشتڕاستکرایەوە: {date} کاتژمێر {time}، {place}",
        "reminder": "بیرخستنەوە: ژوانەکەت {date} کاتژمێر {time}، {place}",
        "reschedule": "ژوانەکەت گۆڕدرا: {date} کاتژمێر {time}، {place}",
        "cancellation": "ژوانەکەت لە {date} کاتژمێر {time} هەڵوەشێنرایەوە.",
        "enrolment": "تۆمار کرایت. یەکەم دانیشتن: {date} کاتژمێر {time}، {place}",
        "waitlist_promotion": "کاتێک بۆت بەتاڵ بوو: {date} کاتژمێر {time}، {place}",
        "staff_notice": "ئەرکی نوێ: {date} کاتژمێر {time}، {place}",
        "discreet": "{date} {time}، {code}",
        "discreet_reschedule": "کاتی نوێ: {date} {time}، {code}",
        "discreet_cancellation": "هەڵوەشایەوە: {date} {time}، {code}",
        "help": "بیرخستنەوەی ژوان. بۆ ڕاگرتنی نامەکان STOP بنێرە، بۆ وەرگرتنەوەیان START بنێرە.",
        "stop": "چیتر نامە لەم ژمارەیەوە وەرناگریت. بۆ وەرگرتنەوەیان START بنێرە.",
    },
    "kmr": {
        "confirmation": "Randevûya te hat pejirandin: {date} saet {time}, {place}.",
        "reminder": "Bîrxistin: randevûya te {date} saet {time}, {place}.",
        "reschedule": "Randevûya te hat guhertin: {date} saet {time}, {place}.",
        "cancellation": "Randevûya te ya {date} saet {time} hat betalkirin.",
        "enrolment": "Tu hatî tomarkirin. Civîna yekem: {date} saet {time}, {place}.",
        "waitlist_promotion": "Ji bo te cihek vala bû: {date} saet {time}, {place}.",
        "staff_notice": "Karê nû: {date} saet {time}, {place}.",
        "discreet": "{date} {time}, {code}",
        "discreet_reschedule": "Dema nû: {date} {time}, {code}",
        "discreet_cancellation": "Betal bû: {date} {time}, {code}",
        "help": "Bîrxistinên randevûyan. Ji bo rawestandina peyaman STOP, "
        "ji bo dîsa wergirtinê START bişîne.",
        "stop": "Tu êdî ji vê hejmarê peyaman nastînî. Ji bo dîsa wergirtinê START bişîne.",
    },
    "ur": {
        "confirmation": "آپ کی اپائنٹمنٹ کی تصدیق ہو گئی: {date}، {time} بجے، {place}",
        "reminder": "یاد دہانی: آپ کی اپائنٹمنٹ {date}، {time} بجے، {place}",
        "reschedule": "آپ کی اپائنٹمنٹ تبدیل ہو گئی: {date}، {time} بجے، {place}",
        "cancellation": "{date}، {time} بجے والی آپ کی اپائنٹمنٹ منسوخ ہو گئی۔",
        "enrolment": "آپ کا داخلہ ہو گیا۔ پہلی نشست: {date}، {time} بجے، {place}",
        "waitlist_promotion": "آپ کے لیے جگہ خالی ہو گئی: {date}، {time} بجے، {place}",
        "staff_notice": "نئی ذمہ داری: {date}، {time} بجے، {place}",
        "discreet": "{date} {time}، {code}",
        "discreet_reschedule": "نیا وقت: {date} {time}، {code}",
        "discreet_cancellation": "منسوخ: {date} {time}، {code}",
        "help": "اپائنٹمنٹ کی یاد دہانیاں۔ پیغامات بند کرنے کے لیے STOP "
        "اور دوبارہ حاصل کرنے کے لیے START بھیجیں۔",
        "stop": "آپ کو اس نمبر سے مزید پیغامات نہیں ملیں گے۔ دوبارہ حاصل کرنے کے لیے START بھیجیں۔",
    },
    "ti": {
        "confirmation": "ቆጸራኹም ተረጋጊጹ: {date} ሰዓት {time}፣ {place}።",
        "reminder": "መዘኻኸሪ: ቆጸራኹም {date} ሰዓት {time}፣ {place}።",
        "reschedule": "ቆጸራኹም ተቐይሩ: {date} ሰዓት {time}፣ {place}።",
        "cancellation": "ናይ {date} ሰዓት {time} ቆጸራኹም ተሰሪዙ።",
        "enrolment": "ተመዝጊብኩም ኣለኹም። ቀዳማይ ርክብ: {date} ሰዓት {time}፣ {place}።",
        "waitlist_promotion": "ንዓኹም ቦታ ተረኺቡ: {date} ሰዓት {time}፣ {place}።",
        "staff_notice": "ሓድሽ ዕማም: {date} ሰዓት {time}፣ {place}።",
        "discreet": "{date} {time}፣ {code}",
        "discreet_reschedule": "ሓድሽ ሰዓት: {date} {time}፣ {code}",
        "discreet_cancellation": "ተሰሪዙ: {date} {time}፣ {code}",
        "help": "መዘኻኸሪ ቆጸራ። መልእኽትታት ንምቁራጽ STOP፣ እንደገና ንምቕባል START ስደዱ።",
        "stop": "ካብዚ ቁጽሪ ደጊም መልእኽቲ ኣይክትቕበሉን ኢኹም። እንደገና ንምቕባል START ስደዱ።",
    },
    "so": {
        "confirmation": "Ballantaada waa la xaqiijiyay: {date} saacadda {time}, {place}.",
        "reminder": "Xusuusin: ballantaadu waa {date} saacadda {time}, {place}.",
        "reschedule": "Ballantaada waa la beddelay: {date} saacadda {time}, {place}.",
        "cancellation": "Ballantaada {date} saacadda {time} waa la baajiyay.",
        "enrolment": "Waa lagu diiwaangeliyay. Kulanka koowaad: {date} saacadda {time}, {place}.",
        "waitlist_promotion": "Boos ayaa kuu bannaanaday: {date} saacadda {time}, {place}.",
        "staff_notice": "Hawl cusub: {date} saacadda {time}, {place}.",
        "discreet": "{date} {time}, {code}",
        "discreet_reschedule": "Waqti cusub: {date} {time}, {code}",
        "discreet_cancellation": "Waa la baajiyay: {date} {time}, {code}",
        "help": "Xusuusinta ballamaha. Dir STOP si fariimaha loo joojiyo, "
        "START si aad mar kale u hesho.",
        "stop": "Fariimo dambe kama heli doontid lambarkan. Dir START si aad mar kale u hesho.",
    },
}
