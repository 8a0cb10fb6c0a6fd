"""Reading a citizen's free-text replies: names, mobile numbers, yes and no, descriptions, places.

Pure functions, no Rasa: the form validators are thin adapters around these.
"""

from __future__ import annotations

import re

from bot.text import half_width, normalise
from referral.rules.city import Region, city_config
from referral.rules.contract import MAX_DESCRIPTION_CHARS, MOBILE_NUMBER

# Spoken and written Chinese digits, including 幺 for 1 as people say it in phone numbers.
_CN_DIGITS = str.maketrans("零〇一幺二两三四五六七八九", "0011223456789")
_SEPARATORS = re.compile(r"(?<=\d)[\s\-－—.·，,、]+(?=\d)")  # 「幺五九，八七二六，三三零一」 as dictated
_DIGIT_RUN = re.compile(r"\d+")

_NAME_PREFIXES = (
    "我的名字叫", "我的名字是", "我的姓名是", "俺的名字叫", "名字叫", "名字是", "姓名是", "姓名",
    "我叫", "我是", "俺叫", "俺是", "叫",
)
# Where a name stops when more follows in the same message: 「我叫张建国电话是139…」
_NAME_END = re.compile(r"[，,。；;\s\d]|电话|手机|号码|联系|住在|在")
_HAN_NAME = re.compile(r"^[\u3400-\u9fff]{2,5}$")
_HAN_SURNAME = re.compile(r"^[\u3400-\u9fff]{1,2}$")
# Names that join given names with a dot (彝族、维吾尔族 and others), or Latin-script names.
_DOTTED_NAME = re.compile(r"^[\u3400-\u9fff]{1,10}(?:[·•．][\u3400-\u9fff]{1,10}){1,3}$")
_LATIN_NAME = re.compile(r"^[A-Za-z][A-Za-z .'-]{1,29}$")
# Words that show an answer is a sentence or a reply, not a name.
_NOT_NAME_WORDS = (
    "同意", "不同", "可以", "好的", "是的", "没有", "不要", "不想", "申请", "法律", "援助", "律师",
    "工资", "老板", "怎么", "什么", "为什么", "吗", "呢", "吧", "啊", "嗯", "县", "区", "市", "镇", "乡",
    "村", "我", "你", "他", "她", "们", "的", "了", "不", "谢谢", "你好", "算了",
)
_MEANINGFUL = re.compile(r"[\u3400-\u9fffA-Za-z0-9]")
_EDGE_PUNCT = " \t\r\n，。！？,.!?、；;：:“”\"'‘’（）()【】[]~～…"


def parse_mobile(text: str | None) -> str | None:
    """Return the one mainland mobile number in ``text`` (11 digits starting with 1), or None.

    Accepts full-width digits, Chinese digits (一三八…, 幺), spaces and dashes between
    digits, and a +86 / 86 prefix. Two numbers, or none, give None.
    """
    if not text:
        return None
    value = half_width(text).translate(_CN_DIGITS)
    value = _SEPARATORS.sub("", value)
    runs = _DIGIT_RUN.findall(value)
    candidates = [run[2:] if len(run) == 13 and run.startswith("86") else run for run in runs]
    if len(candidates) != 1 or not MOBILE_NUMBER.match(candidates[0]):
        return None
    return candidates[0]


def parse_name(text: str | None) -> str | None:
    """Return the name in an answer such as 「我叫张三」「姓李」, or None when it is not a name.

    Conservative on purpose: staff will call the person by this name, so a sentence,
    a yes, a place or a question is refused and the citizen is asked again.
    """
    if not text:
        return None
    value = half_width(text).strip(_EDGE_PUNCT)
    surname_only = False
    for prefix in _NAME_PREFIXES:
        if value.startswith(prefix):
            value = value[len(prefix):]
            break
    else:
        if value.startswith("我姓"):
            value = value[1:]
        if value.startswith("姓") and len(value) <= 3:
            value, surname_only = value[1:], True
    value = _NAME_END.split(value, maxsplit=1)[0].strip(_EDGE_PUNCT) if not _LATIN_NAME.match(value) else value
    if not value or any(word in value for word in _NOT_NAME_WORDS):
        return None
    if surname_only:
        return value if _HAN_SURNAME.match(value) else None
    if _HAN_NAME.match(value) or _DOTTED_NAME.match(value) or _LATIN_NAME.match(value):
        return value
    return None


# Yes in dialect, said alone (「中」「要得」「阔以」): not found inside other words.
_DIALECT_YES = frozenset({"中", "中中", "中嘞", "中啊", "要得", "阔以", "可以的", "得行"})
_YES_WORDS = ("同意", "愿意", "可以", "好", "行", "是", "对", "嗯", "确定", "没问题", "没错", "ok", "yes")


# 「没错」 says yes although it contains 错; it is removed before looking for a no.
_NOT_A_NO = ("没错", "没有错", "不错")
_NO = re.compile(
    r"不\S{0,2}(?:同意|愿意|可以|行|对|是|要)|不(?:想|愿|给|用|好)"
    r"|错了|写错|填错|搞错|说错|有错|改|重新|否|^\W*不\W*$|^\W*不中\W*$"
)


def says_no(text: str | None) -> bool:
    """Whether a reply says no or that something is wrong (「不对」「填错了」「我不太同意」「要改」)."""
    if not text:
        return False
    value = half_width(text)
    for phrase in _NOT_A_NO:
        value = value.replace(phrase, "")
    return bool(_NO.search(value))


def consent_answer(text: str | None) -> bool | None:
    """Read a reply to the consent question: True, False, or None when it says neither.

    The buttons send the payloads /affirm and /deny; typed answers must say yes or no in
    words, whatever emoji or punctuation come with them.
    """
    if not text:
        return None
    value = text.strip()
    if value in ("/affirm", "/deny"):
        return value == "/affirm"
    if says_no(value):
        return False
    if _letters(value) in _DIALECT_YES:
        return True  # 「中」 alone: a yes in Henan, but 中 inside other words is no yes
    return True if is_explicit_yes(value) else None


def is_explicit_yes(text: str | None) -> bool:
    """Whether a reply to the consent question says yes in words (「同意」「好的」「可以」).

    Consent to share personal data must be given explicitly: punctuation, emoji or a
    question mark is never a yes, whatever the intent classifier guessed.
    """
    if not text:
        return False
    if says_no(text):
        return False
    value = half_width(text).lower()
    return any(word in value for word in _YES_WORDS)


def parse_description(text: str | None) -> str | None:
    """Return the description trimmed, or None when it says nothing (empty, only punctuation)."""
    if not text:
        return None
    value = text.strip()
    if len(_MEANINGFUL.findall(value)) < 2:
        return None
    return value[:MAX_DESCRIPTION_CHARS]  # the API's limit: a longer account is cut, never refused


# 「就是刚才说的」「同上」: the account was already given earlier in the chat.
_REFERS_BACK = re.compile(
    r"^(?:就是|就|跟|和|如)?(?:我)?(?:刚才|刚刚|上面|前面|之前|刚)(?:已经)?(?:跟你|给你|和你)?(?:说|讲|写|发)(?:的|过|了)+"
    r"(?:那些|那个|那样|事情?|情况)?$|^同上$|^(?:我|都|已经|不是)?(?:都|已经)?(?:说|讲)过了$"
)
# An addition at the summary check: 「还有，他打了我一巴掌」「对了，老板叫张三」.
_ADDITION_MARKERS = re.compile(r"^\W*(?:还有|另外|补充|对了|忘了说|忘记说|再说一下|还要说|加上|再加)")
MIN_ADDITION_CHARS = 6
# A question at the summary check is answered, not added: 「要多久才有人联系我」.
_QUESTION = re.compile(r"[?？]|吗\W*$|呢\W*$|多久|怎么|什么|哪里|哪儿|为什么|多少|能不能|可不可以|是不是|会不会")


# 「我刚才说了啊 包工头跑了欠俺3万6」: points back, then says a part again (a citizen trial, 2026-12-07).
_LEADS_BACK = re.compile(
    r"^(?:我|俺)?(?:都|已经|不是)?(?:刚才|刚刚|上面|前面|之前|都|已经)(?:已经)?(?:跟你|给你|和你)?(?:说|讲|写|发)(?:过|了)+"
)


def _letters(text: str) -> str:
    """The text normalised, with only its letters and digits."""
    return re.sub(r"[^\u3400-\u9fffA-Za-z0-9]", "", normalise(text))


def leads_back(text: str | None) -> bool:
    """Whether a description begins by pointing back at what was said before and goes on."""
    if not text:
        return False
    return bool(_LEADS_BACK.search(_letters(text))) and not refers_back(text)


def refers_back(text: str | None) -> bool:
    """Whether a description only points back at what was said before: 「就是刚才说的」."""
    if not text:
        return False
    return bool(_REFERS_BACK.search(_letters(text)))


# The account told before the form, offered back at 「what happened」: a short yes takes it
# (「对」「是的」「就这些」); 「对，还有他上个月又打了我」 takes it and adds to it.
MAX_SHORT_YES_CHARS = 6
_NOTHING_TO_ADD = re.compile(r"^(?:就这些|就是这些|没有?了|没有?别的了?|没有?要补充的?|没有?补充)")
_YES_THEN_MORE = re.compile(r"^\W*(?:对的|对|是的|是|嗯|没错)[\s，,。！!、；;]+(?P<more>.+)$", re.DOTALL)


def takes_the_offered_account(text: str | None) -> bool:
    """Whether a reply to the account offered back says to use it as it is."""
    if not text:
        return False
    letters = _letters(text)
    if _NOTHING_TO_ADD.match(letters):
        return True
    return len(letters) <= MAX_SHORT_YES_CHARS and is_explicit_yes(text)


def declines_the_offered_account(text: str | None) -> bool:
    """Whether a reply to the account offered back only says no (「不对」「不是这个」)."""
    return bool(text) and len(_letters(text)) <= MAX_SHORT_YES_CHARS and says_no(text)


def added_to_the_offered_account(text: str | None) -> str | None:
    """What a yes to the account offered back goes on to add (「对，还有……」 → 「还有……」), or None."""
    match = _YES_THEN_MORE.match((text or "").strip())
    if not match or len(_letters(match.group("more"))) < MIN_ADDITION_CHARS:
        return None
    return match.group("more").strip()


def is_an_addition(text: str | None) -> bool:
    """Whether words at the summary check add to the account instead of answering yes or no.

    「还有……」「对了……」 add (「对了」 is not a yes); so does a plain sentence that says neither
    yes nor no nor names a field to correct.
    """
    if not text or fields_to_correct(text):
        return False
    if len(_MEANINGFUL.findall(text)) < MIN_ADDITION_CHARS:
        return False
    if _ADDITION_MARKERS.search(normalise(text)):
        return True
    return not _QUESTION.search(text) and not says_no(text) and not is_explicit_yes(text)


# Which answer a citizen says is wrong when checking the summary: 「电话不对」「县填错了」.
_FIELD_WORDS = {
    "applicant_name": ("名字", "姓名", "名"),
    "applicant_phone": ("电话", "手机", "号码", "号"),
    "region": ("县", "区", "地方", "地址", "哪里"),
    "description": ("经过", "事情", "情况", "内容", "描述"),
}


# The right name inside a correction: 「名字不对 就王桂兰仨字」「名字写错了，应该是李秀英」.
_CORRECTED_NAME = re.compile(
    r"(?:应该是|应该叫|改成|改为|换成|就是|就叫|是|叫|就|为)\s*([\u3400-\u9fff·•]{2,12}?)"
    r"(?:[两俩仨三四五]个?字|这[两俩仨三四五几]个?字|才对|对的|$|[，,。.！!\s])"
)


_NAME_CORRECTION_WORDS = re.compile(r"(?:名字|姓名)(?:也)?(?:不对|错了|写错了|填错了|搞错了|有错|打错了)?")


def name_in_correction(text: str | None) -> str | None:
    """The name a correction of the name gives, or None when it gives none (「名字错了」)."""
    if not text:
        return None
    for match in _CORRECTED_NAME.finditer(half_width(text).strip()):
        name = parse_name(match.group(1))
        if name is not None and find_region(name) is None:
            return name
    rest = _NAME_CORRECTION_WORDS.sub(" ", half_width(text)).strip(_EDGE_PUNCT)  # 「名字不对 王桂兰」
    name = parse_name(rest)
    return name if name is not None and find_region(name) is None else None


# 「等下 手机号错了 是138…」「县不对 地在巧家县」: an earlier answer corrected, with the right one.
_WRONG = r"(?:也|都|好像|可能)?(?:不对|错了|写错了?|填错了?|搞错了?|弄错了?|说错了?|打错了?|有错)"
_CORRECTED_FIELD = {
    "applicant_phone": re.compile(r"(?:电话|手机|号码)(?:号)?(?:码)?" + _WRONG),
    "region": re.compile(r"(?:县|区|地方|地址)" + _WRONG),
    "applicant_name": re.compile(r"(?:名字|姓名)" + _WRONG),
}
MAX_CORRECTION_CHARS = 40


def corrected_answers(text: str | None) -> dict[str, str]:
    """The form answers a short correction gives (slot → value): only for a field it says is wrong
    (「手机号错了」, 「县不对」) and carries the right value for; empty for an account of the problem."""
    if not text or len(text) > MAX_CORRECTION_CHARS:
        return {}
    value = half_width(text)
    return right_values([slot for slot, wrong in _CORRECTED_FIELD.items() if wrong.search(value)], text)


def right_values(fields: list[str], text: str) -> dict[str, str]:
    """The right answers a correction of ``fields`` carries (「电话错了，是139…」), slot → value."""
    readers = {"applicant_phone": parse_mobile, "applicant_name": name_in_correction, "region": region_name}
    return {slot: found for slot in fields if slot in readers and (found := readers[slot](text))}


def region_name(text: str | None) -> str | None:
    """The official name of the one region the words name (「我是在彝良」→ 彝良县), or None."""
    region = find_region(text)
    return region.name if region else None


_LEADING_PHONE_FIX = re.compile(
    r"^\W*(?:等下|等等|等一下|对了|哦|不好意思)?\W*(?:电话|手机|号码)(?:号)?(?:码)?" + _WRONG
    + r"\W*(?:是|应该是|改成)?\W*([1１一幺][\d０-９一二三四五六七八九零〇幺\s-]{9,16})")


def leading_phone_correction(text: str | None) -> tuple[str, str] | None:
    """(the right number, the rest) for a message that opens by correcting the phone number and
    goes on with the account: 「等下 电话号错了 是13887654312 包工头姓王 …」; else None."""
    match = _LEADING_PHONE_FIX.search(text or "")
    phone = parse_mobile(match.group(1)) if match else None
    if match is None or phone is None:
        return None
    return phone, text[match.end():].strip(_EDGE_PUNCT)


def fields_to_correct(text: str | None) -> list[str]:
    """The form slots a correction names, in form order; empty when it names none."""
    if not text:
        return []
    value = half_width(text)
    return [slot for slot, words in _FIELD_WORDS.items() if any(word in value for word in words)]


# Whose support a support conversation is about: a parent's by grown children (赡养) or a child's
# (抚养). Both are the matter support_payment, but 「一个月能要多少」 has a different answer.
_PARENT_SUPPORT = re.compile(
    r"赡养|养老|(?:儿子|女儿|儿女|子女|闺女|儿媳)(?:们)?(?:都|也)?(?:不管|不养|不给|不孝|不问)"
    r"|父母|爸妈|爹妈|老人|老爹|老娘|老母亲|老父亲|老两口|我爸|我妈|俺爹|俺娘|分家|不养我|(?:我|俺)(?:都|已经)?(?:老了|年纪大了|[六七八九]十)"
)
_CHILD_SUPPORT = re.compile(
    r"抚养|孩子他|孩子的爸|孩子的妈|娃他|前夫|前妻|离婚|探视|未成年|(?:孩子|娃).{0,4}(?:上学|读书|学费)"
)


def _leaning(latest: str | None, earlier: list[str] | None, one: re.Pattern[str], other: re.Pattern[str]) -> int:
    """Which of two sides a conversation speaks of: positive for ``one``, negative for ``other``,
    0 when it does not tell. The latest message decides when it speaks of only one; otherwise the
    whole conversation, by how often it speaks of each."""
    latest = latest or ""
    ones, others = len(one.findall(latest)), len(other.findall(latest))
    if ones != others and (ones == 0 or others == 0):
        return ones - others
    for text in earlier or []:
        ones += len(one.findall(text))
        others += len(other.findall(text))
    return ones - others


def support_side(latest: str | None, earlier: list[str] | None = None) -> str | None:
    """Whose support a support conversation is about: "parents" (赡养, a parent's by grown
    children), "child" (抚养) or None when its words do not tell (「儿子不管我 我都七十了」…
    「一个月能要多少」 is the parents')."""
    leaning = _leaning(latest, earlier, _PARENT_SUPPORT, _CHILD_SUPPORT)
    return "parents" if leaning > 0 else "child" if leaning < 0 else None


def supports_parents(latest: str | None, earlier: list[str] | None = None) -> bool:
    """Whether a support conversation is about a parent's support by grown children rather than a
    child's (support_side; a conversation that does not tell is taken as a child's)."""
    return support_side(latest, earlier) == "parents"


# Who owes in a debt conversation: the citizen who borrowed and is pressed (「网贷还不上 天天被催」)
# or the one who lent (「借给他两万不还」). One matter code, two answers.
_BORROWER = re.compile(
    r"(?:我|俺)(?:是)?欠(?:钱|债|款)?的|欠钱的是(?:我|俺)|(?:我|俺)(?:还)?欠(?:了)?(?:别人|人家|他|她|银行|网贷|平台|朋友|亲戚)"
    r"|(?:我|俺)(?:在|从)?(?:网贷|网上|平台|银行|信用卡).{0,6}(?:借|贷|欠|逾期)|还不上|还不起|没钱还|逾期"
    r"|催收|被催|催债的|(?:天天|一直|老是|经常)(?:打电话)?催(?:我|俺)|被(?:人|他|她|债主|对方)?(?:起诉|告)(?:了)?.{0,4}还钱"
)
_LENDER = re.compile(
    r"借(?:给)?(?:了)?(?:他|她|别人|人家|朋友|亲戚|同学|同事|邻居|老乡|表哥|表弟|堂哥|姐夫|妹夫)"
    r"|(?:他|她|别人|人家|朋友|亲戚|对方).{0,6}(?:借|欠)(?:了)?(?:我|俺)|不还(?:我|俺)|要(?:不|不回)(?:来|回)|讨债|要账|欠条|借条"
)


def owes_the_money(latest: str | None, earlier: list[str] | None = None) -> bool:
    """Whether a debt conversation is the borrower's (「网贷还不上 天天被催」) rather than the lender's.
    Unclear means the lender's, the more common question (「借钱不还怎么办」)."""
    return _leaning(latest, earlier, _BORROWER, _LENDER) > 0


# Which kind of land or house problem an account tells: one matter code, four answers and the
# whole one when the words name none or several.
_HOUSING_KINDS = {
    "expropriation": re.compile(r"征地|征收|拆迁|拆了|强拆|补偿款|安置费|安置房|青苗费|土地补偿"),
    "neighbour": re.compile(
        r"宅基地|地界|边界|占(?:了)?(?:我|俺)?(?:家|们家)?(?:的)?(?:地|路|宅基)|滴水|围墙|院墙|砌墙"
        r"|堵(?:了)?(?:我|俺)?(?:家)?(?:的)?路|出路"),
    "contract": re.compile(
        r"承包地|承包合同|土地承包|承包经营|流转|收回(?:了)?(?:我|俺)?(?:家)?(?:的)?(?:承包)?地|分地|林地|山林|责任田"),
    "purchase": re.compile(
        r"买(?:的|了)?房|卖(?:的|了)?房|购房|房款|不(?:给|肯|帮)(?:我|俺)?(?:办)?过户|房产证|不动产证|开发商"
        r"|一房(?:两|二)卖"),
}


def housing_kind(latest: str | None, earlier: list[str] | None = None) -> str | None:
    """The one kind of land or house problem the citizen tells (the latest message first, then the
    conversation): "expropriation", "neighbour", "contract" or "purchase"; None for none or several."""
    for texts in ([latest or ""], earlier or []):
        kinds = {kind for kind, words in _HOUSING_KINDS.items() if any(words.search(t) for t in texts)}
        if "expropriation" in kinds:
            kinds.discard("neighbour")  # 「拆迁把我家宅基地算少了」: the 宅基地 is what is taken
        if kinds:
            return kinds.pop() if len(kinds) == 1 else None
    return None


# A crime victim who was beaten up (「邻居把俺打了」), not defrauded or robbed: the assault answer.
_BEATEN = re.compile(r"打(?:了|伤|断|掉|肿|破|得|成)|被(?:人)?(?:打|揍|砍|捅|踢)|动手|殴打|揍(?:了)?(?:我|俺)|挨打")
_OTHER_CRIMES = re.compile(r"骗|诈骗|抢|偷|盗|强奸|猥亵|拐|敲诈|勒索|绑架|非法拘禁")


def was_beaten(latest: str | None, earlier: list[str] | None = None) -> bool:
    """Whether a crime victim's account is of being beaten up and of no other crime (the latest
    message first, then the conversation)."""
    for texts in ([latest or ""], earlier or []):
        beaten = any(_BEATEN.search(t) for t in texts)
        other = any(_OTHER_CRIMES.search(t) for t in texts)
        if beaten or other:
            return beaten and not other
    return False


# A citizen who cannot read or write (「俺不识字 这事咋弄」).
_CANNOT_WRITE = re.compile(r"不识字|不认字|不认识字|字都(?:不认得|认不得)|不会写|写不来|写不了|文盲|没念过书|没上过学")
# …and asks how to go about it (「俺不识字咋弄」「不会写字能申请不」), not whether a thumbprint counts
_HOW_TO = re.compile(r"咋|怎么|怎样|找谁|申请|能办|能告|状子|起诉状|材料")


def cannot_write(text: str | None) -> bool:
    """Whether a message says the citizen cannot read or write and asks how to go about it."""
    return bool(_CANNOT_WRITE.search(text or "") and _HOW_TO.search(text or ""))


# A judgment, conciliation statement or award the other side does not carry out: 「法院判了…两年了一分没给」.
_DECIDED = re.compile(r"判了|判决|判下来|判的|调解书|裁决|仲裁书|判给")
_NOT_CARRIED_OUT = re.compile(
    r"不给|没给|不还|没还|不赔|没赔|不付|没付|不执行|不履行|一分(?:钱)?(?:都|也)?没|拖着|赖着")


def judgment_not_carried_out(latest: str | None, earlier: list[str] | None = None) -> bool:
    """Whether the citizen says a decision was made and the other side does not carry it out
    (in the latest message, or a decision earlier in the conversation and the refusal now)."""
    said = [latest or "", *(earlier or [])]
    return any(_DECIDED.search(t) for t in said) and any(_NOT_CARRIED_OUT.search(t) for t in said)


def find_region(text: str | None) -> Region | None:
    """The one region of the city that the words name, also in traditional characters or
    full width (「龍頭山鎮」「镇雄县」); None when none or two are named."""
    return city_config().find_region(normalise(text))
