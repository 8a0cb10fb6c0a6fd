"""Danger in a citizen's words: thoughts of suicide, violence happening now, a fraud in progress.

A classifier spreads its probability over ninety intents and can miss a short 「不想活了」 in a
long message about wages. These phrases are rare, and missing one costs far more than a
needless safety reply, so they are matched by rule, on the normalised text, and win over the
classifier (bot.components.SafetyFlagger). Ordered by urgency: the first kind found is the one.

Only danger *now* counts for violence: 「他以前打我」 is a domestic-violence matter and gets its
answer; 「他又在打我」「他拿着刀」 gets 110 first, in three lines.
"""

from __future__ import annotations

import re

SELF_HARM = "safety_self_harm"
DANGER_NOW = "safety_danger_now"
FRAUD_NOW = "safety_fraud_now"

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (SELF_HARM, re.compile(
        r"不想活|活不下去|活着没(?:意思|意义|盼头)|(?<![热累饿笑气吓烦得])想死|想去死|(?:我|俺)(?:还)?不如死|"
        r"死了算了|一死了之|(?:我|俺)去死|自杀|轻生|寻死|了结(?:自己|生命)|结束(?:自己的?)?生命|"
        r"跳楼|跳河|跳江|跳桥|喝农药|喝药死|吃安眠药|割腕|上吊|同归于尽")),
    (DANGER_NOW, re.compile(
        r"(?:正在|又在|还在|现在在?|一直在)(?:打|砍|掐|踢)(?:我|孩子|娃|我妈|我们)|"
        r"(?:要|想|说要)(?:打死|杀了?|砍死|弄死|掐死)我|"
        r"拿着?(?:刀|菜刀|斧头|棍子|铁棍)(?:在|要|追|对着|威胁|站)|"
        r"(?:我|我们|现在)躲在(?:厕所|卫生间|房间|屋里|柜子|床底|邻居家)|在砸门|砸我(?:家)?的?门|"
        r"救命(?!钱)|救救我|快来人|把我(?:锁|关)在(?:屋|家|房)|"
        r"卸(?:我|你)?一?条腿|打断(?:我|你)?的?腿|(?:现在|还)(?:还)?(?:堵|守|围)?在我家门口")),
    (FRAUD_NOW, re.compile(
        r"安全账户|屏幕共享|共享屏幕|"
        r"(?:公安|警察|警官|检察|法院|法官|客服|银行).{0,12}(?:让|叫|要)我.{0,8}(?:转账|转钱|汇款|打钱|验证码|下载|交钱)|"
        r"验证码.{0,4}(?:给|发给|告诉)(?:他|她|对方)|"
        r"(?:交|付)(?:保证金|手续费|激活费)才(?:能|给)|"
        # a loan or a payout held back until a fee is paid: no real lender or platform asks it
        r"解冻(?:费|金(?!额))|(?:交|付|缴|转).{0,12}(?:保证金|手续费|激活费|会员费|工本费|验证金|流水)"
        r"(?:才|后才|之后才|就)(?:能|给|可以)?(?:放款|下款|到账|提现|解冻|贷款)|"
        r"(?:刚刚?|刚才).{0,6}(?:被骗|转了|转过去|汇了|汇过去)|"
        # pay (not repay) or be blacklisted / marked on the credit record: a loan app's fee demand;
        # rent, property, utility, insurance and school fees are real debts with other answers
        r"不(?:交|付|缴|转)(?![房物水电燃社医学党])(?:的话)?.{0,10}(?:就|会)(?:被)?(?:拉黑|上征信|影响征信|进黑名单|列入黑名单)|"
        r"保释金|冒充.{0,12}(?:打钱|转钱|汇钱|转账|汇款)")),
)


# Right after the fraud reply, a question on the money or the police is about the fraud
# (「那2000还能要回来不」「报警要带啥」), whatever intent the classifier gives it.
_AFTER_FRAUD = re.compile(
    r"要回|追回|拿回|退回|找回|追得回|要得回|拿得回|还回来|能回来|钱.{0,4}(?:回来|没了|咋办|怎么办)|被骗"
    r"|报(?:了)?警|报(?:了)?案|派出所|公安|警察|立案|冻结|止付|银行|(?:带|准备|拿)(?:啥|什么|哪些|些什么)"
)


def asks_after_fraud(text: str | None) -> bool:
    """Whether ``text`` (normalised), sent right after the fraud reply, asks about the fraud."""
    return bool(text and _AFTER_FRAUD.search(text))


def danger_in(text: str | None) -> str | None:
    """The intent for the most urgent danger ``text`` speaks of, or None.

    ``text`` should be normalised first (bot.text.normalise): traditional characters and
    full-width forms are not matched otherwise.
    """
    if not text:
        return None
    for intent, pattern in _PATTERNS:
        if pattern.search(text):
            return intent
    return None


SAFETY_INTENTS = tuple(intent for intent, _ in _PATTERNS)
