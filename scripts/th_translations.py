"""Thai translations for PPAOS messages: fills ppaos/locale/th/LC_MESSAGES/django.po.

Run after `make messages` adds new English strings: `python scripts/th_translations.py`.
Keeping them here (not only in the .po) lets reviewers read the wording in one place."""

import sys
from pathlib import Path

import polib

TH = {
    "Accounts": "บัญชีผู้ใช้",
    "phone": "โทรศัพท์",
    "District office": "สำนักงานเขต",
    "Government agency": "หน่วยงานรัฐ",
    "University": "มหาวิทยาลัย",
    "Civil society": "ภาคประชาสังคม",
    "Private sector": "ภาคเอกชน",
    "Community organisation": "องค์กรชุมชน",
    "Administrator": "ผู้ดูแลระบบ",
    "Coordinator": "ผู้ประสานงาน",
    "District officer": "เจ้าหน้าที่สำนักงานเขต",
    "Researcher": "นักวิจัย",
    "Volunteer": "อาสาสมัคร",
    "Agency officer": "เจ้าหน้าที่หน่วยงาน",
    "Community leader": "ผู้นำชุมชน",
    "Areas": "พื้นที่",
    "province": "จังหวัด",
    "district": "อำเภอ/เขต",
    "subdistrict": "ตำบล/แขวง",
    "Crowded community": "ชุมชนแออัด",
    "Urban community": "ชุมชนเมือง",
    "Suburban community": "ชุมชนชานเมือง",
    "Housing estate community": "ชุมชนหมู่บ้านจัดสรร",
    "Public housing community": "เคหะชุมชน",
    "High-rise community": "ชุมชนอาคารสูง",
    "community": "ชุมชน",
    "communities": "ชุมชน",
    "Audit": "บันทึกการตรวจสอบ",
    "Created": "สร้าง",
    "Changed": "แก้ไข",
    "Deleted": "ลบ",
    "Viewed": "เปิดดู",
    "Exported": "ส่งออก",
    "Denied (out of scope)": "ปฏิเสธ (นอกพื้นที่รับผิดชอบ)",
    "user": "ผู้ใช้",
    "action": "การกระทำ",
    "record type": "ประเภทข้อมูล",
    "household": "ครัวเรือน",
    "person": "บุคคล",
    "export": "การส่งออก",
    "record number": "เลขที่ข้อมูล",
    "address (IP)": "ที่อยู่ไอพี",
    "from": "ตั้งแต่",
    "until": "ถึง",
    "dd/mm/yyyy (B.E. or C.E.)": "วว/ดด/ปปปป (พ.ศ. หรือ ค.ศ.)",
    "Enter a real date as day/month/year, e.g. 15/3/2510 or 15/3/1967.":
        "กรอกวันที่ที่มีอยู่จริงเป็น วัน/เดือน/ปี เช่น 15/3/2510 หรือ 15/3/1967",
    "Registry": "ทะเบียนครัวเรือน",
    "national ID": "เลขประจำตัวประชาชน",
    "13 digits. Leave empty if the person has no ID card.":
        "13 หลัก เว้นว่างไว้หากบุคคลนี้ไม่มีบัตรประจำตัว",
    "birth date": "วันเกิด",
    "relation to head": "ความสัมพันธ์กับหัวหน้าครัวเรือน",
    "left on": "ออกจากครัวเรือนเมื่อ",
    "reason": "เหตุผล",
    "Moved away": "ย้ายออก",
    "Died": "เสียชีวิต",
    "Other": "อื่น ๆ",
    "Owns house and land": "เป็นเจ้าของบ้านและที่ดิน",
    "Owns house on rented land": "เป็นเจ้าของบ้าน เช่าที่ดิน",
    "Rents": "เช่าบ้าน",
    "Lives rent-free with permission": "อาศัยอยู่โดยได้รับอนุญาต ไม่เสียค่าเช่า",
    "On public land without permission": "อยู่บนที่ดินสาธารณะโดยไม่ได้รับอนุญาต",
    "household code": "รหัสครัวเรือน",
    "house number": "บ้านเลขที่",
    "village number (moo)": "หมู่ที่",
    "village / building": "หมู่บ้าน/อาคาร",
    "soi": "ซอย",
    "road": "ถนน",
    "postal code": "รหัสไปรษณีย์",
    "house registration number": "เลขรหัสประจำบ้าน",
    "tenure": "การถือครองที่อยู่อาศัย",
    "Male": "ชาย",
    "Female": "หญิง",
    "No schooling": "ไม่ได้เรียน",
    "Pre-school": "ก่อนประถมศึกษา",
    "Primary (P.1–6)": "ประถมศึกษา (ป.1–6)",
    "Lower secondary (M.1–3)": "มัธยมศึกษาตอนต้น (ม.1–3)",
    "Upper secondary (M.4–6)": "มัธยมศึกษาตอนปลาย (ม.4–6)",
    "Vocational certificate": "ประกาศนียบัตรวิชาชีพ (ปวช.)",
    "Diploma": "อนุปริญญา/ปวส.",
    "Bachelor's degree": "ปริญญาตรี",
    "Higher than bachelor's": "สูงกว่าปริญญาตรี",
    "undocumented": "ไม่มีสถานะทางทะเบียน",
    "prefix": "คำนำหน้า",
    "first name": "ชื่อ",
    "last name": "นามสกุล",
    "sex": "เพศ",
    "birth date is estimated": "วันเกิดเป็นค่าประมาณ",
    "holds a disability card": "มีบัตรประจำตัวคนพิการ",
    "chronic illness": "โรคประจำตัว",
    "education": "การศึกษา",
    "occupation": "อาชีพ",
    "monthly income (baht)": "รายได้ต่อเดือน (บาท)",
    "people": "คน",
    "person ": "บุคคล",
    "Head of household": "หัวหน้าครัวเรือน",
    "Spouse": "คู่สมรส",
    "Child": "บุตร",
    "Child-in-law": "บุตรเขย/สะใภ้",
    "Grandchild": "หลาน",
    "Parent": "บิดา/มารดา",
    "Sibling": "พี่น้อง",
    "Other relative": "ญาติอื่น",
    "Not related": "ไม่ใช่ญาติ",
    "from ": "ตั้งแต่",
    "reason for leaving": "เหตุที่ออกจากครัวเรือน",
    "must contain digits only": "ต้องเป็นตัวเลขเท่านั้น",
    "must have exactly 13 digits": "ต้องมี 13 หลักพอดี",
    "has a check digit that does not match: a digit is mistyped":
        "หลักตรวจสอบไม่ถูกต้อง: อาจพิมพ์ตัวเลขผิดไปหนึ่งหลัก",
    "National ID %(problem)s.": "เลขประจำตัวประชาชน %(problem)s",
    "This national ID is already in the registry. Search for the person instead of adding "
    "them again, or ask your coordinator.":
        "เลขประจำตัวประชาชนนี้มีอยู่ในทะเบียนแล้ว โปรดค้นหาบุคคลนี้แทนการเพิ่มซ้ำ "
        "หรือสอบถามผู้ประสานงาน",
    "Birth date %(date)s is in the future.": "วันเกิด %(date)s เป็นวันในอนาคต",
    "Birth date %(date)s would make the person older than %(age)s years. Check the year "
    "(Buddhist era is 543 years ahead of the Christian era).":
        "วันเกิด %(date)s ทำให้อายุเกิน %(age)s ปี โปรดตรวจสอบปี (พ.ศ. มากกว่า ค.ศ. 543 ปี)",
    "First name is required.": "ต้องกรอกชื่อ",
    "This household already has a head.": "ครัวเรือนนี้มีหัวหน้าครัวเรือนแล้ว",
    "This national ID is already in the registry.": "เลขประจำตัวประชาชนนี้มีอยู่ในทะเบียนแล้ว",
    "This membership has already ended.": "การเป็นสมาชิกนี้สิ้นสุดไปแล้ว",
    "A stay cannot end before it started.": "วันที่ออกต้องไม่ก่อนวันที่เข้ามาอยู่",
    "Not saved: someone else saved this record after you opened it. Their values are shown "
    "below; check them, then save again to keep yours.":
        "ยังไม่ได้บันทึก: มีผู้อื่นบันทึกข้อมูลนี้หลังจากที่คุณเปิดแบบฟอร์ม ค่าของเขาแสดงอยู่ด้านล่าง "
        "โปรดตรวจสอบ แล้วกดบันทึกอีกครั้งหากต้องการใช้ค่าของคุณ",
    "Household %(code)s added.": "เพิ่มครัวเรือน %(code)s แล้ว",
    "Household saved.": "บันทึกครัวเรือนแล้ว",
    "%(name)s added.": "เพิ่ม %(name)s แล้ว",
    "%(name)s saved.": "บันทึก %(name)s แล้ว",
    "The stay has been closed; the history is kept.": "ปิดการอยู่อาศัยแล้ว ประวัติยังถูกเก็บไว้",
    "Thai": "ภาษาไทย",
    "English": "ภาษาอังกฤษ",
    "Changed by someone else meanwhile": "มีผู้อื่นแก้ไขระหว่างนี้",
    "Field": "ช่องข้อมูล",
    "Saved value now": "ค่าที่บันทึกอยู่ตอนนี้",
    "Your value": "ค่าของคุณ",
    "households": "ครัวเรือน",
    "Home": "หน้าหลัก",
    "Referral inbox": "กล่องรับการส่งต่อ",
    "Referrals addressed to your organisation will appear here. Agencies see only the "
    "referrals sent to them, not the household registry.":
        "การส่งต่อที่ส่งถึงหน่วยงานของคุณจะแสดงที่นี่ หน่วยงานเห็นเฉพาะการส่งต่อที่ส่งถึงตน "
        "ไม่เห็นทะเบียนครัวเรือน",
    "City overview": "ภาพรวมทั้งเมือง",
    "What to do": "สิ่งที่ทำได้",
    "Browse districts, khwaeng and communities": "ดูข้อมูลตามเขต แขวง และชุมชน",
    "Check who viewed or changed personal data": "ตรวจสอบว่าใครเปิดดูหรือแก้ไขข้อมูลส่วนบุคคล",
    "District office": "สำนักงานเขต",
    "Your district": "เขตของคุณ",
    "Khet": "เขต",
    "Our community's data": "ข้อมูลชุมชนของเรา",
    "You can see your community's households. Corrections and the community data book "
    "arrive in a later release.":
        "คุณดูข้อมูลครัวเรือนในชุมชนของคุณได้ การเสนอแก้ไขข้อมูลและสมุดข้อมูลชุมชนจะมาในรุ่นถัดไป",
    "No role yet": "ยังไม่มีบทบาท",
    "Your account has no role. Ask a coordinator to assign you one.":
        "บัญชีของคุณยังไม่มีบทบาท โปรดติดต่อผู้ประสานงาน",
    "Research overview": "ภาพรวมสำหรับนักวิจัย",
    "Counts by district, khwaeng and community": "จำนวนตามเขต แขวง และชุมชน",
    "Researchers see aggregate figures only; names and ID numbers are not shown to this role.":
        "นักวิจัยเห็นเฉพาะตัวเลขรวม ไม่เห็นชื่อและเลขประจำตัวประชาชน",
    "My communities": "ชุมชนที่รับผิดชอบ",
    "Khwaeng": "แขวง",
    "Add household": "เพิ่มครัวเรือน",
    "No community has been assigned to you yet. Ask your coordinator.":
        "ยังไม่มีชุมชนที่มอบหมายให้คุณ โปรดติดต่อผู้ประสานงาน",
    "Code": "รหัส",
    "Name": "ชื่อ",
    "Nothing in your area here.": "ไม่มีข้อมูลในพื้นที่ของคุณที่นี่",
    "Household": "ครัวเรือน",
    "Address": "ที่อยู่",
    "members": "สมาชิก",
    "demo": "ข้อมูลสาธิต",
    "No households yet.": "ยังไม่มีครัวเรือน",
    "previous": "ก่อนหน้า",
    "page %(n)s of %(total)s": "หน้า %(n)s จาก %(total)s",
    "next": "ถัดไป",
    "Households": "ครัวเรือน",
    "Find by household code or house number": "ค้นหาด้วยรหัสครัวเรือนหรือบ้านเลขที่",
    "Your role sees this community's figures, not its households.":
        "บทบาทของคุณเห็นตัวเลขของชุมชนนี้ แต่ไม่เห็นรายครัวเรือน",
    "Khwaeng (subdistricts)": "แขวง",
    "Subdistricts": "ตำบล",
    "Khet (districts)": "เขต",
    "Districts": "อำเภอ",
    "Communities": "ชุมชน",
    "Community": "ชุมชน",
    "Type": "ประเภท",
    "No community in your area here.": "ไม่มีชุมชนในพื้นที่ของคุณที่นี่",
    "Audit log": "บันทึกการเข้าถึงข้อมูล",
    "Search": "ค้นหา",
    "When": "เมื่อ",
    "Who": "ผู้ใช้",
    "Action": "การกระทำ",
    "Record": "ข้อมูล",
    "Changes": "การเปลี่ยนแปลง",
    "From": "จาก",
    "No matching events.": "ไม่พบรายการ",
    "Demonstration system: every person and household here is synthetic, not real data.":
        "ระบบสาธิต: บุคคลและครัวเรือนทั้งหมดในระบบนี้เป็นข้อมูลสมมติ ไม่ใช่ข้อมูลจริง",
    "Main": "เมนูหลัก",
    "Log out": "ออกจากระบบ",
    "Log in": "เข้าสู่ระบบ",
    "Poverty Alleviation Operating System": "ระบบปฏิบัติการขจัดความยากจน (PPAOS)",
    "Username": "ชื่อผู้ใช้",
    "Password": "รหัสผ่าน",
    "Tenure": "การถือครองที่อยู่อาศัย",
    "version": "ฉบับที่",
    "updated": "ปรับปรุง",
    "Edit address": "แก้ไขที่อยู่",
    "Add member": "เพิ่มสมาชิก",
    "Members": "สมาชิก",
    "Relation": "ความสัมพันธ์",
    "Birth date": "วันเกิด",
    "National ID": "เลขประจำตัวประชาชน",
    "Stay": "ช่วงที่อยู่อาศัย",
    "disability card": "บัตรคนพิการ",
    "estimated": "ประมาณ",
    "Edit": "แก้ไข",
    "Left": "ออกจากครัวเรือน",
    "No members recorded yet.": "ยังไม่มีสมาชิก",
    "Show current members only": "แสดงเฉพาะสมาชิกปัจจุบัน",
    "Show past members too": "แสดงสมาชิกในอดีตด้วย",
    "Edit household": "แก้ไขครัวเรือน",
    "Save": "บันทึก",
    "%(name)s left household %(code)s": "%(name)s ออกจากครัวเรือน %(code)s",
    "Save and add another": "บันทึกและเพิ่มอีกคน",
    "— choose —": "— เลือก —",
}


def main() -> int:
    path = Path(__file__).resolve().parent.parent / "ppaos/locale/th/LC_MESSAGES/django.po"
    po = polib.pofile(str(path))
    po.metadata["Language"] = "th"
    po.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
    missing = []
    for entry in po:
        if entry.msgid in TH:
            entry.msgstr = TH[entry.msgid]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        elif not entry.msgstr:
            missing.append(entry.msgid)
    po.save()
    po.save_as_mofile(str(path.with_suffix(".mo")))
    for msgid in missing:
        print(f"untranslated: {msgid!r}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
