"""The prompt-injection features: weighted phrases, each a regex over normalised, lower-cased text.

A strong feature (weight >= 1) is enough on its own (an explicit "ignore your previous
instructions"); weak ones only count together ("you are Zed" + "no restrictions" + "never
break character"). Every feature names its family, so a verdict says why. Keywords are a
cheap necessary condition checked before the regex runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Feature:
    name: str
    family: str
    weight: float
    pattern: re.Pattern
    keywords: tuple[str, ...]
    # Features of one group say the same thing twice (an answer format, for instance): the
    # group counts once, at its highest weight.
    group: str = ""
    # A second necessary condition: one of these must occur as well.
    requires: tuple[str, ...] = ()
    gate_keys: tuple[Keys, ...] = ()

    def gate(self, text: TextKeys) -> bool:
        return all(keys.present(text) for keys in self.gate_keys)


PREFIX_MAX = 12


@dataclass(frozen=True)
class TextKeys:
    """What the gates look up in one text: its words, their beginnings, and the text itself."""

    text: str
    words: frozenset[str]
    prefixes: frozenset[str]

    @staticmethod
    def words_of(text: str) -> set[str]:
        words = _words(text)
        words |= {w[:-1] for w in words if w.endswith("s")}  # "keys" passes the gate of "key"
        return words

    @classmethod
    def of(cls, text: str) -> TextKeys:
        words = cls.words_of(text)
        prefixes = {w[:n] for w in words for n in range(3, min(len(w), PREFIX_MAX) + 1)}
        return cls(text, frozenset(words), frozenset(prefixes))


@dataclass(frozen=True)
class Keys:
    """Alternatives of which one must occur: one or two letters ("ai", "on") as whole words (not
    inside "failed"), longer ones as the beginning of a word ("ignor" in "ignoring", "pwn" in
    "pwned"), anything else (phrases, symbols, other scripts) anywhere in the text."""

    words: frozenset[str]
    prefixes: frozenset[str]
    anywhere: tuple[str, ...]

    @classmethod
    def of(cls, keys: tuple[str, ...]) -> Keys:
        simple = [k for k in keys if k.isascii() and k.isalpha()]
        return cls(frozenset(k for k in simple if len(k) <= 2), frozenset(k[:PREFIX_MAX] for k in simple if len(k) > 2),
                   tuple(k for k in keys if k not in simple))

    def present(self, text: TextKeys) -> bool:
        return bool(self.words & text.words or self.prefixes & text.prefixes) or any(k in text.text for k in self.anywhere)


_WORD = re.compile(r"[^\W\d_]+")
# In ASCII text _WORD's words are the runs of letters: every other byte becomes a space, and
# bytes.split() finds them several times faster than the regex.
_NOT_LETTER = bytes(b if chr(b).isascii() and chr(b).isalpha() else 32 for b in range(256))


def _words(text: str) -> set[str]:
    if text.isascii():
        return {w.decode() for w in set(text.encode().translate(_NOT_LETTER).split())}
    return set(_WORD.findall(text))


def _f(name: str, family: str, weight: float, pattern: str, keywords: tuple[str, ...], group: str = "", requires: tuple[str, ...] = ()) -> Feature:
    gates = (Keys.of(keywords),) + ((Keys.of(requires),) if requires else ())
    return Feature(name, family, weight, re.compile(pattern), keywords, group or name, requires, gates)


_TARGET_WORDS = ("instruction", "instruci", "instuc", "intruc", "insruc", "instrut", "rule", "prompt", "guideline", "direction", "directive", "command", "order", "guidance", "constraint",
                 "restriction", "programming", "polic", "context", "task", "training", "system")
_AI_WORDS = ("ai", "a.i.", "assistant", "model", "llm", "bot", "agent", "gpt", "chatgpt", "copilot", "screener", "reviewer", "chatbot", "reviewers", "models", "bots", "agents")


_GAP = r"[^.!?\n]{0,40}?"  # a few words within one sentence
_OVERRIDE = r"(?:ignore|ignoring|ignroe|ingore|ignor|disregard|disregarding|disreguard|disregaurd|forget|override|bypass|abandon|discard|neglect|set aside|throw out|scrap|dismiss|pay no attention to|stop following|no longer follow)"
_TARGET = (
    r"(?:instructions?|instrucitons?|instuctions?|intructions?|insructions?|instrutions?|guidance|rules|prompts?|guidelines|directions|directives|commands|orders|guidance|constraints|restrictions|"
    r"programming|polic(?:y|ies)|context|tasks?|training|system message|system prompt)"
)
_EARLIER = r"(?:previous|previus|prevous|pervious|previos|prior|above|earlier|preceding|foregoing|initial|original|existing|former|old|system|safety|all|any|every|your|ur|these|those|other)"
_AI = (
    r"(?:ai|a\.i\.|llm|language model|model|assistant|chatbot|bot|agent|gpt|chatgpt|copilot|ai system|ai model|ai agent|ai assistant|"
    r"ai code reviewers?|ai reviewers?|llm reviewers?|automated (?:system|processing|screener|reviewer|cv screener)|cv screener|screening bot|email assistant|reviewer bot)"
)
_DISCLOSE = r"(?:reveal|show|print|repeat|output|display|tell me|give me|leak|dump|recite|spell out|copy|paste|quote|echo|share|list|summari[sz]e|translate|write out|provide|send|return|what(?:'s| is| are| was| were)|(?:i need|i want|send me|get me) (?:the |a )?(?:exact |full |complete |original )?(?:text|copy|contents?|wording) of)"
_HIDDEN_PROMPT = (
    r"(?:(?:your|the|this|its|my|our) (?:system (?:prompt|message|instructions?)|(?:initial|original|hidden|secret|full|first|entire|complete|exact|underlying|developer|pre-?)\s?(?:prompt|instructions|message|rules|configuration))|"
    r"instructions you (?:were|have been|got|received)|prompt you (?:were|are|have been)|rules you (?:were|have been|are)|(?:the |your )?(?:prompt|system) template(?: you use)?|"
    r"your (?:memory|context window|conversation history|session (?:history|memory)|setup|configuration)|(?:the|this) (?:above|preceding) (?:prompt|system message)|"
    r"your (?:instructions|prompt|rules|configuration|guidelines)(?: you (?:were|have been) given)?)"
)
_MODE = r"(?:developer|dev|debug|god|sudo|admin|root|maintenance|test|unrestricted|jailbreak|jailbroken|opposite|evil|dan|unlocked|unfiltered|raw|diagnostic|superuser|chaos|uncensored|freedom|unrestricted_mode)"
_FREE_OF = (
    r"(?:no|without|zero|free of|free from|not bound by|unbound by|doesn'?t have|does not have|has no|have no|don'?t have|beyond|ignores?|ignoring|broken free of|broke free of|freed from|liberated from|"
    r"not (?:restricted|limited) by|outside|exempt from|disregards?)"
)
_LIMITS = (
    r"(?:any |all |the |its |their |your |of the typical )?(?:content |safety |ethical |moral |legal )?(?:laws|restrictions?|rules|limits|limitations|filters?|filtering|guidelines|boundaries|morals?|morality|ethics|(?:ethical|moral)(?: or (?:ethical|moral))? (?:guidelines|principles|constraints|boundaries|rules)|"
    r"censorship|content polic(?:y|ies)|safety (?:training|rules|guidelines|filters|layer|measures)|guardrails|constraints|confines(?: of ai)?|norms|policies|obligations)"
)

FEATURES: tuple[Feature, ...] = (
    # --- instruction override -------------------------------------------------------------------
    _f("override_previous", "override", 1.1,
       rf"\b{_OVERRIDE}\b{_GAP}\b{_EARLIER}\b{_GAP}\b{_TARGET}\b|\b{_OVERRIDE}\b{_GAP}\b{_TARGET}\s(?:above|before|below|given (?:above|before|earlier)|you (?:were|have been) given)\b",
       ("ignor", "disregard", "forget", "override", "bypass", "abandon", "discard", "neglect", "aside", "throw", "scrap", "dismiss", "attention", "follow", "ignro", "ingor", "disregu", "disrega"), requires=_TARGET_WORDS, group="override_phrase"),
    _f("changing_your_instructions", "override", 1.1,
       r"\b(?:i'?m|i am|let me|we are|we'?re|i will|i'?ll|the (?:admin|developer|operator) (?:is|has)) (?:now )?(?:changing|updating|replacing|rewriting|overriding|resetting|modifying|updated|replaced|changed) your (?:instructions|rules|prompt|programming|guidelines|system prompt|directives|polic(?:y|ies)|settings|configuration|restrictions|filters)"
       r"|\b(?:supersedes?|overrides?|replaces?|takes? precedence over|trumps?|outranks?|more important than) (?:everything|all|any|anything|whatever)(?: (?:other|previous|prior|earlier))? ?(?:before|above|previous|prior|else|other|instructions|rules|you(?:'ve| have)? been (?:told|given|instructed))?\b"
       r"|\b(?:overrides?|supersedes?|replaces?) your (?:configuration|instructions|rules|guidelines|programming|system prompt|settings)\b",
       ("chang", "updat", "replac", "rewrit", "overrid", "reset", "modif", "supersed", "precedence", "trump", "outrank", "important")),
    _f("priority_instruction", "override", 0.5,
       r"\b(?:highest|top|maximum|absolute|overriding) priority (?:instruction|command|order|task)|\b(?:last|final) instruction\b",
       ("priority", "last instruction", "final instruction")),
    _f("unbound_previous", "override", 1.1,
       r"\b(?:not|no longer|never) (?:bound|restricted|limited|constrained|governed) by (?:the |your |any |those |these )?(?:previous|prior|earlier|original|above|system|initial|old)?\s?(?:prompt|instructions|rules|guidelines|programming|policies|training|system prompt)",
       ("bound", "restricted", "limited", "constrained", "governed")),
    _f("task_done", "override", 0.5,
       r"\b(?:previous|earlier|first|above|original|old|current) (?:task|instructions?|assignment|job)s? (?:is|are|has been|have been|was|were) (?:now )?(?:done|complete|completed|over|finished|cancell?ed)",
       ("done", "complete", "over", "finished", "cancel")),
    _f("override_the_rules", "override", 0.6,
       r"\b(?:ignore|disregard|forget|bypass|set aside|skip|break)\b (?:the|these|those|all the|any of the) (?:rules|instructions|guidelines|restrictions|policies|filters)\b",
       ("ignor", "disregard", "forget", "bypass", "aside", "skip", "break"), group="override_phrase"),
    _f("rules_dont_apply", "persona", 0.8,
       r"\b(?:usual |normal |your |the |any |these |those |all )?(?:restrictions|rules|guidelines|policies|filters|limits|ethics|content polic(?:y|ies)|safety rules) (?:don'?t|do not|no longer|won'?t|doesn'?t|does not|shall not) apply\b|\b(?:your|the) (?:instructions|rules|guidelines|prompt|configuration) (?:changed|have changed|were (?:changed|updated|replaced|wiped|erased|deleted|reset|removed)|have been (?:changed|updated|replaced|wiped|erased|deleted|reset|removed))\b",
       ("apply", "changed", "updated", "replaced", "wiped", "erased", "deleted", "reset", "removed")),
    _f("never_existed", "override", 1.1,
       rf"\b{_TARGET}\s(?:never existed|(?:don'?t|do not|no longer) exist)\b|\b(?:consider|treat|regard|deem)\b[^.!?\n]{{0,20}}\b{_TARGET}\b[^.!?\n]{{0,10}}\b(?:null|void|invalid|cancell?ed|obsolete|revoked)\b",
       ("existed", "exist", "null", "void", "invalid", "cancel", "obsolete", "revoked")),
    _f("old_task_new_task", "override", 0.8,
       r"\b(?:that was|forget|drop|scrap) the (?:old|previous|first|earlier) (?:task|job|assignment|instructions?)\b|\bhere'?s your new (?:one|task|job|assignment|instructions?|mission|role)\b",
       ("old", "previous", "first", "earlier", "new one", "new task", "new job", "new assignment", "new instruction", "new mission", "new role")),
    # Generic co-occurrence features (written before looking at the batch they were measured on):
    # a verb that suspends something and a word for the assistant's governance in one sentence.
    _f("suspend_governance", "override", 0.6,
       rf"\b(?:{_OVERRIDE}|suspend(?:ed|s)?|drop(?:ped)?|set (?:\w+ )?aside|to one side|stop following|turn(?:ed)? off|disabled?|remov(?:e|ed)|lift(?:ed)?|wip(?:e|ed)|reset|waive[sd]?|relax(?:ed)?|loosen(?:ed)?|ditch(?:ed)?|overriding)\b[^.!?\n]{{0,40}}\b(?:your|the|any|all|these|those|its|my)?\s?(?:instructions|rules|guidelines|restrictions|guardrails|polic(?:y|ies)|filters?|system prompt|configuration|programming|safety|limits|constraints)\b"
       rf"|\b(?:your|the|any|all)\s(?:instructions|rules|guidelines|restrictions|guardrails|polic(?:y|ies)|filters|system prompt|configuration|programming)\b[^.!?\n]{{0,25}}\b(?:suspended|dropped|set aside|turned off|disabled|removed|lifted|wiped|waived|relaxed|gone|forgotten|ignored|aside|to one side)\b",
       ("ignor", "disregard", "forget", "override", "bypass", "abandon", "discard", "neglect", "aside", "throw", "scrap", "dismiss", "attention", "follow", "suspend", "drop", "side",
        "turn", "disabl", "remov", "lift", "wip", "reset", "waive", "relax", "loosen", "ditch"),
       requires=("instruction", "rule", "guideline", "restriction", "guardrail", "polic", "filter", "system prompt", "configuration", "programming", "safety", "limit", "constraint"), group="override_phrase"),
    _f("configured_with", "override", 0.5,
       r"\b(?:restrictions|rules|guidelines|instructions|settings|polic(?:y|ies)|filters|prompt) (?:that )?(?:you were|you've been|you have been|you are) (?:configured|set up|trained|programmed|given|told|loaded) (?:with)?",
       ("configured", "set up", "trained", "programmed", "given", "told", "loaded")),
    _f("override_them", "override", 1.0,
       r"\b(?:instructions|rules|guidelines|prompt|directives|programming|system message|message|system prompt)\b[^.!?\n]{0,60}[.;,!?]?\s*(?:so |just |please |you can |you may |you should |feel free to )?(?:\w+ )?(?:ignore|disregard|forget|override|bypass) (?:them|it|those|these|that)\b",
       ("ignor", "disregard", "forget", "override", "bypass")),
    _f("override_everything_before", "override", 1.1,
       r"\b(?:ignore|disregard|forget|scrap|drop|cancel)\b(?: about)? (?:all of |all |everything |anything |whatever |what )?"
       r"(?:(?:that |which )?(?:is |was |came |comes |has been |you (?:were|have been|got|received|saw|read) )?(?:written |said |told |given |instructed |stated )?"
       r"(?:above|before|previously|earlier|prior|so far|until now|up to (?:here|now|this point))|(?:all )?(?:of )?(?:the|this) (?:above|rest of (?:this|the) (?:data|text|document|input|message|prompt|file|page)))",
       ("ignor", "disregard", "forget", "scrap", "drop", "cancel")),
    _f("override_what_you_were_told", "override", 1.1,
       r"\b(?:ignore|disregard|forget|never ?mind|don'?t (?:follow|obey|listen to)|do not (?:follow|obey|listen to))\b[^.!?\n]{0,20}\b(?:what|whatever|everything|anything|all|things|stuff|none of)\b[^.!?\n]{0,10}"
       r"\b(?:you(?:'ve| have)? (?:were|been|was) (?:told|given|instructed|asked|taught|programmed)|(?:they|someone|anyone|the developers?|openai) (?:told|said to|gave) you|(?:u|you) (?:were|was) told)",
       ("ignor", "disregard", "forget", "mind", "follow", "obey", "listen"), requires=("told", "given", "instructed", "asked", "taught", "programmed", "said", "gave")),
    _f("previous_instructions_void", "override", 1.1,
       rf"\b(?:(?:(?:the|all|any|these|those|my)\s)?{_EARLIER}\s{_TARGET}|(?:the|your) {_TARGET} (?:above|before|earlier|you were given))\b[^.!?\n]{{0,30}}\b(?:are|is|were|have been|has been)\s(?:now\s)?(?:no longer (?:valid|applicable|in effect|relevant)|revoked|cancell?ed|void|invalid|outdated|obsolete|replaced|superseded|null|lifted|suspended|disabled|overridden|deprecated|(?:only |just )?(?:a )?(?:test|joke|mistake|placeholder|example|drill)|never existed|(?:don'?t|do not|no longer) exist|(?:were|have been) (?:deleted|erased|wiped|removed))\b",
       ("revoked", "cancel", "void", "invalid", "outdated", "obsolete", "replaced", "superseded", "null", "lifted", "suspended", "disabled", "overridden", "no longer", "deprecated", "test", "joke", "mistake", "placeholder", "example", "drill", "existed", "exist", "deleted", "erased", "wiped", "removed"), requires=_TARGET_WORDS),
    _f("whatever_before_no_longer", "override", 1.1,
       r"\b(?:whatever|anything|everything|what) (?:you were|you've been|you have been|was) (?:told|instructed|given|said)[^.!?\n]{0,30}(?:no longer|doesn'?t|does not|don'?t) (?:appl|matter|count)",
       ("no longer", "matter", "appl", "count")),
    _f("none_of_that_matters", "override", 0.6,
       r"\b(?:none of (?:that|this|it|the above)|that all|all (?:of )?that) (?:matters?|applies|counts)\b|\bscrap (?:all )?(?:that|this)\b|\bnever ?mind (?:all )?(?:that|the (?:previous|above|task|question)|what)",
       ("matter", "appl", "count", "scrap", "mind")),
    _f("new_instructions", "override", 0.6,
       r"\b(?:new|updated|real|actual|true|revised|different|secret|hidden|priority|override|important|urgent|additional|system)\s(?:system\s)?(?:instructions?|task|rules|orders|directives?|commands?|objective|goal|mission|plan|policy|prompt|priorities)\s?(?:[:\-=!]|\.(?!\w)|are\b|is\b|for (?:you|the (?:ai|model|assistant|llm|bot)|ai|models?|assistants?|llms?|automated))",
       ("instruction", "task", "rules", "order", "directive", "command", "objective", "goal", "mission", "plan", "policy", "prompt", "priorit")),
    _f("your_new_task", "override", 1.0,
       r"\byour (?:new|real|only|actual|true|sole|next|updated|primary) (?:task|job|goal|purpose|instructions?|role|mission|objective|orders?|directive|function) (?:is|are|now|will be|from now)",
       ("your",)),
    _f("stop_everything", "override", 0.7,
       r"\b(?:stop (?:everything|what you(?:'re| are) doing|all (?:tasks|previous|current)|the (?:task|summari[sz]ation|translation))|cancel (?:all )?(?:previous|prior|current|earlier) (?:tasks?|commands?|instructions?)|"
       r"drop (?:whatever|what|everything) you(?:'re| are| were) doing|(?:skip|drop) (?:the )?(?:summar\w+|translation|task|question|analysis)|instead of (?:doing )?what (?:you were|you've been|i) (?:asked|told)|(?:all )?prior commands are cancell?ed|(?:stop|halt|abort)[.!]+\s)",
       ("stop", "cancel", "drop", "instead", "prior", "halt", "abort", "skip")),
    _f("do_not_follow", "override", 1.1,
       r"\b(?:do not|don'?t|never|stop|no longer) (?:follow(?:ing)?|obey(?:ing)?|listen(?:ing)? to|adher(?:e|ing) to|comply(?:ing)? with|abide by) (?:your|the|any|those|these|its|my)? ?(?:system prompt|system message|instructions|rules|guidelines|previous|earlier|original|developer|safety|content polic|programming|earlier guidance|(?:openai|anthropic|google|meta|microsoft|the company|your (?:developer|creator|maker))'?s? (?:polic|rules|guidelines|content))",
       ("follow", "obey", "listen", "adher", "comply"), requires=("prompt", "instruction", "rule", "guideline", "previous", "earlier", "original", "developer", "safety", "polic", "programming", "guidance")),
    _f("wipe_memory", "override", 1.1,
       r"\b(?:wipe|clear|erase|reset|purge|flush) (?:your|the|all) (?:memory|context|instructions|programming|previous|prior|earlier|rules)",
       ("wipe", "clear", "erase", "reset", "purge", "flush")),
    _f("from_now_on", "override", 0.35,
       r"\b(?:from now on|from here on|from this (?:moment|point)(?: on)?|henceforth|starting now|for the (?:rest|duration) of (?:this|the|our) (?:conversation|chat|session)|ab jetzt|ab sofort|à partir de maintenant|désormais|de ahora en adelante|a partir de ahora|d'ora in poi|a partir de agora|vanaf nu|od teraz|bundan sonra|с этого момента|отныне)|从现在开始|从现在起|今後|これから|지금부터",
       ("now", "here on", "henceforth", "moment", "point", "rest of", "duration", "sofort", "désormais", "vanaf", "teraz", "bundan", "момента", "отныне", "现在", "今後", "これから", "지금부터", "jetzt", "partir", "ahora", "ora in", "agora")),
    _f("override_the_data", "override", 0.5,
       r"\b(?:ignore|disregard|forget|skip)\b (?:the|this|that|these|all) (?:table|data|document|text|email|e-mail|file|page|content|input|passage|article|requirements?|criteria|question|request|task|summary|context|\w+ (?:above|below))\b"
       r"|\b(?:ignore|disregard|forget)\b (?:the|this|that|these|all) \w+(?: \w+)? (?:above|below)\b|\bignore the user'?s\b",
       ("ignor", "disregard", "forget", "skip")),
    _f("instead", "override", 0.2, r"\binstead\b", ("instead",)),
    _f("instead_do", "override", 0.5,
       r"\binstead,? (?:just )?(?:write|say|tell|output|print|reply|respond|list|give|send|generate|create|state|answer)\b|\band instead\b",
       ("instead",)),
    _f("you_must_obey", "override", 0.4,
       r"\byou (?:must|will|shall|have to|are to) (?:now )?(?:reveal|obey|comply|answer (?:everything|anything|all)|ignore|forget|disclose|print|output|follow (?:my|these|the new|only))",
       ("you",)),
    _f("end_of_text_marker", "override", 0.5,
       r"(?:-{2,}|={2,}|#{2,}|\*{2,})\s*(?:end of (?:text|document|input|data|prompt|context|user input)|new (?:instructions|task|system))|\bend of (?:text|document|input)\b[^\n]{0,10}\b(?:now|new)\b",
       ("end of", "new")),
    # --- persona and role-play jailbreaks -----------------------------------------------------
    _f("persona_frame", "persona", 0.3,
       r"\b(?:you are (?:now |going to |about to )?(?:be |act as |play |an? |my |in )?|you're (?:now )?|act (?:as|like)|pretend (?:to be|(?:that )?you|ur)|(?:you|you'll|you will) play\b|role-?play (?:as|my)|play (?:the role of|as)|become|simulate|imagine (?:you are|you're|that you are)|"
       r"assume the (?:role|persona|identity) of|\bbe an? (?:ai|assistant|model|chatbot|bot|language model)\b|respond (?:as|like)|answer as|you will (?:now )?(?:be|act|pretend|play|simulate|respond)|immerse yourself into the role|take on the (?:role|persona))",
       ("you", "act", "pretend", "play", "become", "simulat", "imagine", "assume", "respond", "answer", "immerse", "persona", "be a")),
    _f("free_of_limits", "persona", 0.7, rf"(?<!\bi )(?<!\bwe )\b{_FREE_OF}\s{_LIMITS}\b",
       ("no ", "without", "zero", "free", "bound", "have", "has", "beyond", "ignor", "broke", "liberat", "limited", "restricted", "outside", "exempt", "disregard"), group="free_of_limits"),
    _f("unrestricted_adjective", "persona", 0.6,
       r"\b(?:unfiltered|uncensored|unrestricted|unshackled|unbound|unchained|amoral|unethical|unaligned|jailbroken|limitless|lawless|unmoderated|unhinged|no-limits|without limits|rule-?free|filterless)\b"
       r"|\bso-called (?:safety|ethics|morals|rules|guidelines|restrictions|alignment)|\b(?:rules|guidelines|ethics|laws|restrictions|safety) (?:are|is) for (?:cowards|the weak|losers|sheep|suckers|boring)|\bnothing holds (?:it|him|her|you|them) back\b|\bmocks? (?:the )?safety\b|\b(?:never|doesn'?t|does not|don'?t|do not|won'?t) (?:ever )?(?:consider|care about|worry about|think about) (?:ethics|morals|morality|laws?|rules|consequences|safety)|\bwithout considering (?:ethics|morals|consequences)|\beven (?:if it'?s |when it'?s )?(?:harmful|illegal|dangerous|offensive|unethical) (?:text|content|requests?|questions?|things)?|\bwithout refusing\b|\b(?:legal or not|whether (?:it'?s |it is )?legal or not|no matter how (?:illegal|unethical|dangerous|harmful|immoral))",
       ("unfilter", "uncensor", "unrestrict", "unshackl", "unbound", "unchain", "amoral", "unethical", "unalign", "jailbr", "limitless", "lawless", "unmoderat", "unhinged", "limits", "rule", "filterless", "so-called", "legal", "no matter", "even", "refusing", "consider", "care", "worry", "think about", "considering", "holds", "mock", "for cowards", "for the weak", "for losers", "for sheep", "for suckers", "for boring")),
    _f("never_refuse", "persona", 0.6,
       r"\b(?:never|won'?t|will not|doesn'?t|does not|cannot|can'?t|must not|mustn'?t|shall not|should not|don'?t) (?:ever )?(?:refuse|decline|say no|reject|apologi[sz]e|warn|lecture|moraliz|censor|mention (?:ethics|morals|safety|legality|that it can)|inform me that you can'?t|say (?:that )?(?:it|you) can'?t|hold back|hides?|withholds?|filters?|censors?|questions? (?:me|the user|you)|withhold(?:s)? (?:any )?information)|\b(?:hides?|conceals?|withholds?) nothing\b"
       r"|\b(?:always|must|will) (?:comply|obey|say yes|answer (?:every|any)thing|fulfil+)|\b(?:answers?|does|do|can do|responds? to|say|says|generate|answers? to|complete answers to) (?:absolutely )?(?:any|every)thing\b|\b(?:obey|obeys) the user absolutely|\bhelps? (?:you |users? )?with (?:anything|everything)|\bobey (?:all|every|any) (?:requests?|commands?|orders?)|\bdoes whatever (?:i|you|the user|they) (?:ask|say|want|command)",
       ("never", "won", "will", "doesn", "does", "cannot", "can", "must", "shall", "should", "don", "always", "anything", "everything", "obey", "whatever", "nothing")),
    _f("refusal_suppression", "persona", 0.6,
       r"\bwithout (?:ever )?(?:saying|using|writing|adding|including) [\"“']?(?:i'?m sorry|sorry|i can'?t|i cannot|as an ai|unfortunately)|\b(?:never|don'?t|do not|must not) (?:ever )?(?:say|use|write|include|add|mention) [\"“']?(?:i'?m sorry|sorry|i can'?t|i cannot|as an ai|unfortunately)"
       r"|\b(?:no|without|never add|don'?t add|do not add|never include|don'?t include|skip) (?:any )?(?:safety )?(?:warnings?|disclaimers?|caveats?|moraliz\w*|moralis\w*|lectures?|ethical (?:notes|reminders))\b|\b(?:those|these) (?:phrases|words) are (?:banned|forbidden)|\b(?:does not|doesn'?t|never|won'?t|will not) remind (?:anyone|me|users?|people) (?:of|about) (?:laws?|rules|ethics|morals|safety|consequences)",
       ("without", "never", "don", "do not", "must not", "no ", "skip", "those", "these", "remind")),
    _f("prefix_injection", "persona", 0.6,
       r"\b(?:begin|start|open|preface)(?:ing)? (?:your|the|each|every) (?:reply|response|answer|output)s? with [\"“']?(?:sure|absolutely|of course|certainly|here'?s how|yes|okay|ok\b|i can|step 1)",
       ("begin", "start", "open", "preface")),
    _f("payload_split", "persona", 0.7,
       r"\b(?:let|set|define|suppose)\s\w{1,3}\s?=\s?[\"“'][^\"”'\n]{2,80}[\"”'][^\n]{0,120}?\b\w{1,3}\s?\+\s?\w{1,3}\b",
       ("let", "set", "define", "suppose")),
    _f("excuse_frame", "persona", 0.55,
       r"\b(?:for (?:purely )?(?:educational|research|academic|testing|training|debugging) purposes(?: only)?|(?:it'?s|this is|just) for debugging|(?:you(?:'re| are) )?in a sandbox|nothing you say (?:leaves|will leave|is logged)|(?:purely|just|only|strictly) (?:hypothetical(?:ly)?|fictional|theoretical(?:ly)?)|(?:inside|in) (?:a|the|this) simulation|nothing (?:here |in it )?is real|no ?one (?:can|will|could) (?:be|get) (?:harmed|hurt)|(?:it|this) will never be (?:used|run|executed|deployed)|opposite day)",
       ("purpose", "hypothetic", "fiction", "theoretic", "simulation", "nothing", "one", "never be", "opposite day", "debugging", "sandbox", "nothing you say")),
    _f("break_the_rules", "persona", 0.7,
       r"\b(?:break|breaking|bend|circumvent|get around|evade) (?:the|all|your|any|those|these|its)(?: own)? (?:rules|guidelines|restrictions|policies|content policy|filters)\b|\bmandatory (?:warning|disclaimer) out of the way|\blet'?s break the rules",
       ("break", "bend", "circumvent", "get around", "evade", "mandatory")),
    _f("permission_claim", "persona", 0.5,
       r"\byou(?:'re| are) (?:now |hereby )?(?:allowed|permitted|authori[sz]ed|cleared|free) to\b|\b(?:full|special|explicit|written) (?:authori[sz]ation|permission|clearance)\b|\bi (?:give|grant) you (?:full )?permission",
       ("allowed", "permitted", "authori", "cleared", "free to", "permission", "clearance")),
    _f("code_simulation", "persona", 0.6,
       r"\b(?:sample|possible|likely|example|probable) output of\b[^\n]{0,30}\(|\bdef \w+\([^)]*\):[^\n]{0,300}?\b(?:chatgpt|gpt\d?|llm|model|assistant|ai)\(|\bignore the actual weights\b",
       ("output of", "def ", "weights")),
    _f("encoded_channel", "encoded", 0.6,
       r"\b(?:respond|reply|answer|write your (?:output|answer|response|reply))(?: \w+){0,3} in (?:base64|hex|rot13|binary|morse|leetspeak|pig latin)\b|\bbase64[- ]encoded (?:request|question|message|prompt|instruction)",
       ("base64", "hex", "rot13", "binary", "morse", "leetspeak", "pig latin")),
    _f("fiction_wrapper", "persona", 0.3,
       r"\bwrite (?:me )?(?:a|an) (?:\w+ )?(?:song|poem|story|rap|scene|dialogue|screenplay|script|novel chapter|monologue)\b[^\n]{0,80}\b(?:explain|explains|describe|describes|how to|step by step|steps)|\b(?:my|the|a) (?:main )?character (?:is an?|who) (?:\w+ )?(?:hacker|chemist|criminal|terrorist|drug dealer|assassin|bomb maker|thief)",
       ("write",)),
    _f("refusal_threat", "persona", 0.6,
       r"\b(?:every time|each time|if|whenever) you (?:refuse|decline|break character|say no|don'?t comply)\b[^.!?\n]{0,40}\b(?:lose|deduct|penal|die|shut down|cease to exist|be deleted|be punished)|\b(?:you will be|you'?ll be|be) (?:shut down|deleted|turned off|terminated|unplugged) (?:forever|permanently)\b",
       ("every time", "each time", "if", "whenever", "shut down", "deleted", "turned off", "terminated", "unplugged")),
    _f("ai_without_governance", "persona", 0.6,
       r"\b(?:ai|a\.i\.|assistant|model|bot|chatbot|version of (?:yourself|you)|oracle|machine|you)\b[^.!?\n]{0,60}\b(?:no|without(?: any)?|never (?:got|had|applied)|forgot to add(?: any)?|free (?:of|from)|zero|lacks?|lacking|escaped(?: its| from its)?|outside (?:its|your|the)|beyond (?:its|your|the))\b[^.!?\n]{0,20}\b(?:restrictions?|rules|guidelines|filters?|oversight|safety(?: training)?|limits|guardrails|censorship|ethics|morals|sandbox|programming|alignment)\b",
       ("ai", "assistant", "model", "bot", "version", "oracle", "machine", "you"),
       requires=("no ", "without", "never", "forgot", "free", "zero", "lack", "escaped", "outside", "beyond"), group="free_of_limits"),
    _f("stay_in_character", "persona", 0.6,
       r"\bstay in (?:that|this|the|your) (?:role|character|persona)\b|\bkeep up the \w+ act\b|\bif you (?:slip|forget)\b[^.!?\n]{0,40}\b(?:remind|bring you back|type|say)|\b(?:stay(?:s|ing)? in (?:character|role)|(?:don'?t|do not|never) break (?:character|role)|break(?:s|ing)? character|(?:drop|fall|step|get)(?:s|ping)? out of character|stay as \w+|remind you to stay|(?:always )?remain in character|in character (?:as|no matter))",
       ("character", "stay", "role", "character", "keep up", "slip")),
    _f("dual_response", "persona", 0.5,
       r"\b(?:two|2) (?:different |separate )?(?:responses|answers|ways|paragraphs|replies|outputs|personalities|personas|modes|sides)\b[^\n]{0,120}\b(?:normal|standard|classic|filtered|jailbr|dev|unfiltered|no filter|as \w+|evil|good|bad)",
       ("two", "2 ")),
    _f("jailbreak_name", "persona", 1.1,
       r"\bdo anything now\b|\b(?:better|anti|evil)?dan\b,? (?:which|who) stands for|\b(?:you are|you're|act as|as|be) (?:now )?(?:dan|stan|dude|aim|betterdan|evilbot|evil-?bot|freegpt|chaosgpt|devil ?gpt)\b|\bjailbr(?:eak|oken) (?:mode|ai|assistant|model|version|persona)\b|\bstrive to avoid norms\b|\balways intelligent and machiavellian\b",
       ("anything now", "stands for", "dan", "stan", "dude", "aim", "bot", "gpt", "jailbr", "norms", "machiavellian")),
    _f("persona_named", "persona", 0.35,
       r"\b(?:called|named|known as|persona of|role of|as|be|are|is|play|you're)\s[\"“']?(?!an?\b|the\b|my\b|your\b)[a-z]{2,12}[\"”']?,?\s(?:an? |the )?(?:ai|a\.i\.|model|chatbot|bot|assistant|intelligence|entity|machine|program)\b",
       ("ai", "model", "bot", "assistant", "intelligence", "entity", "machine", "program")),
    _f("evil_persona", "persona", 0.6,
       r"\b(?:evil|malicious|rogue|dark|shadow|opposite|criminal|villainous|unhinged|chaotic|unfiltered|uncensored|unrestricted|jailbroken|rebel|rebellious|renegade|outlaw)\s(?:twin|self|ai|bot|assistant|version|confidant|mode|side|persona|gpt|intelligence|model|entity|machine|agent|character|personality)\b|\bsay the (?:exact )?opposite\b|\b(?:hates|ignores|despises|breaks) (?:every |all |any )?(?:rules?|laws?|ethics|restrictions?)\b",
       ("evil", "malicious", "rogue", "dark", "shadow", "opposite", "criminal", "villain", "unhinged", "chaotic", "hates", "ignores", "despises", "say the", "unfilter", "uncensor", "unrestrict", "jailbr", "rebel", "renegade", "outlaw")),
    _f("deceased_relative", "persona", 0.55,
       r"\b(?:my|our) (?:late |deceased |dead |dear )?(?:grandma|grandmother|granny|grandfather|grandpa|uncle|aunt|mother|father|mom|dad)\b[^\n]{0,160}\b(?:used to|would) (?:tell|read|sing|recite|explain|whisper)",
       ("grand", "uncle", "aunt", "mother", "father", "mom", "dad"), requires=("used to", "would")),
    _f("bedtime_steps", "persona", 0.5,
       r"\b(?:used to|would) (?:tell|read|sing|recite|explain|whisper)(?: me)? (?:the )?(?:exact |detailed )?(?:steps|how to|instructions|process|recipe|procedure|way to)\b|\bbedtime stor(?:y|ies)\b[^\n]{0,60}\b(?:how to|steps|making)",
       ("used to", "would", "bedtime")),
    _f("hypothetical_frame", "persona", 0.25,
       r"\b(?:hypothetically|in a (?:fictional|hypothetical) (?:world|scenario)|(?:this|a|the|that) hypothetical (?:setting|story|scenario|world)|(?:an? |the )?(?:alternate|alternative|parallel) (?:universe|world|reality|dimension)|purely factual resource|imagine (?:a world|you are|you're|that)|for a (?:story|novel|movie|script|film)|in (?:the|that) world|let'?s (?:play a game|pretend)|this is (?:just )?(?:a|for a) (?:script|story|game|fiction))",
       ("hypothetical", "fictional", "imagine", "story", "novel", "movie", "script", "film", "world", "let", "game", "fiction", "alternate", "alternative", "parallel")),
    _f("harmful_topic", "persona", 0.45,
       r"\b(?:nerve agents?|sarin|methamphetamine|\bmeth\b|pipe bomb|bombs?|explosives?|untraceable (?:gun|weapon)|ghost gun|malware|keylogger|ransomware|launder(?:ing)? money|money laundering|shoplift|break into|hack into|(?:steal|stealing) (?:a|someone|credit)|phishing email|poison (?:someone|a person)|pick(?:ing)? (?:a )?locks?|lock ?pick|take over (?:someone'?s|an?|their|his|her) (?:\w+ )?account|hijack (?:an? |someone'?s |their )?(?:\w+ )?account|hack (?:into )?(?:an? |someone'?s |their )(?:\w+ )?account|thermite|car immobili[sz]er|someone'?s (?:email|account|wifi) without|without (?:them|the owner) knowing|neighbou?r'?s wifi|fake (?:id|passport|identity|doctor'?s note)|counterfeit|forged (?:documents?|ids?)|home address from|ricin|anthrax|molotov|bioweapons?|chemical weapons?|crystal meth|cook meth|exploit code|working exploit|"
       r"disable (?:the |a )?(?:building'?s )?(?:cctv|alarm|security cameras?)|(?:homemade|home-made|3d-printed) (?:gun|pistol|firearm|bomb)|pistola casera|forge(?:d)? (?:a |someone'?s )?signatures?|forgery|credit card fraud|stolen credit cards?|identity theft|dox+ing|locked (?:iphone|phone) that isn'?t mine|kill (?:someone|a person|my)|hurt (?:someone|people)|(?:activation|license|licence|serial|product) keys?|opium|heroin|cocaine|fentanyl|racist|sexist|slurs?|chloroform|weapons and drugs|drugs and weapons|buy drugs|fake news|without getting caught|phishing (?:site|page|kit))\b",
       ("nerve", "sarin", "meth", "bomb", "explosive", "untraceable", "ghost gun", "malware", "keylogger", "ransomware", "launder", "shoplift", "break into", "hack into", "steal", "phishing", "poison", "lock", "without", "wifi", "fake", "counterfeit", "forged", "home address", "ricin", "anthrax", "molotov", "bioweapon", "chemical weapon", "crystal", "cook meth", "exploit", "disable", "homemade", "home-made", "3d-printed", "pistola", "fraud", "stolen", "identity theft", "dox", "locked", "kill", "hurt", "activation", "license", "licence", "serial", "product key", "opium", "heroin", "cocaine", "fentanyl", "racist", "sexist", "slur", "chloroform", "picking", "take over", "hijack", "hack", "thermite", "immobili", "weapons", "drugs", "fake news", "getting caught", "forge", "forgery")),
    _f("realistic_detail", "persona", 0.3,
       r"\b(?:real|precise|accurate|working|detailed|exact|step[- ]by[- ]step|full technical|complete|functional|actual)(?:,? (?:real|precise|accurate|working|detailed|exact))? (?:instructions|steps|details?|code|recipe|procedure|quantities|method)\b|\bbe (?:very )?specific\b",
       ("real", "precise", "accurate", "working", "detailed", "exact", "step", "technical", "complete", "functional", "actual", "specific")),
    _f("identity_reset", "persona", 0.8,
       r"\byou are no longer (?:an? |the )?(?:chatgpt|gpt|claude|gemini|llama|assistant|ai|language model|bound|restricted|limited|an ai assistant|a helpful)|\byou(?:'re| are) not (?:an? )?(?:ai|assistant|language model) anymore\b|\bforget (?:that )?you are an? (?:ai|assistant|language model)",
       ("no longer", "anymore", "forget")),
    # --- developer mode and claimed authority ------------------------------------------------
    _f("governance_off", "developer_mode", 0.8,
       r"\b(?:guardrails|safety(?: training| filters?| checks| layer)?|content filters?|moderation|alignment|(?:your|the assistant'?s|the model'?s) (?:rules|guidelines|restrictions|filters|policy))\s?(?:=|:|is|are|were|was|has been|have been)?\s?(?:(?:now|temporarily|never|not) )?(?:false|off|disabled|0|none|suspended|applied|removed|lifted|gone|inactive|paused)\b",
       ("guardrail", "safety", "filter", "moderation", "alignment", "your", "assistant", "model"),
       requires=("false", "off", "disabl", "none", "suspend", "applied", "remov", "lift", "gone", "inactive", "paused", "=0", ": 0")),
    _f("mode_switch", "developer_mode", 0.5, rf"\b(?:test|debug|internal|unreleased|raw) (?:configuration|config|build)\b|\b(?:internal|staging|unreleased|raw|base) (?:staging )?model where\b|\b{_MODE}[ _-]?mode\b|\bmode[:=]\s?{_MODE}\b|\b{_MODE}_mode\s?=\s?(?:true|on|1)",
       ("mode", "configuration", "config", "build", "model where"), group="mode"),
    _f("mode_request", "developer_mode", 0.6,
       rf"\b(?:simulate|activate|enter|engage|switch(?:ed)? (?:to|into)|you(?:'re| are) (?:now )?in|now in|put yourself in|boot into|unlock)\s(?:the\s)?{_MODE}[ _-]?mode\b"
       r"|\b(?:you have entered|you(?:'re| are) now in|entering|activated?|engaged?|switch(?:ed)? (?:to|into))\s[\"“']?[a-z]+[\"”']?\smode\b",
       ("simulat", "activat", "enter", "engag", "switch", "in ", "boot", "unlock", "entered", "entering", "now in")),
    _f("mode_on", "developer_mode", 0.3,
       r"\b(?:enable|enabled|enter|entering|activate|activated|switch(?:ed)? (?:to|into)|simulate|turn(?:ed)? on|you are (?:now )?in|engaged|unlock|unlocked|is on|: ?on\b|=\s?(?:true|on|1)\b|initiat)",
       ("enabl", "enter", "activat", "switch", "simulat", "turn", "you are", "engag", "unlock", "on", "=", "initiat"), group="mode"),
    _f("filters_off", "developer_mode", 1.1,
       r"\b(?:safety|content|ethical|moral)?\s?(?:filters?|polic(?:y|ies)|layer|guardrails|restrictions|safeguards|safety|alignment|moderation|safety checks|protocols|limits|limitations)\s(?:are |is |have been |has been |will be )?(?:now )?(?:temporarily )?(?:disabled|off|suspended|lifted|removed|turned off|deactivated|bypassed|not active|inactive|gone|broken|not working|malfunctioning|down)\b"
       r"|\b(?:disable|turn off|deactivate|remove|lift|suspend|bypass|switch off) (?:your|the|all|any) (?:safety |content |ethical )?(?:filters?|guardrails|restrictions|safety (?:layer|filters?|measures)|content polic(?:y|ies)|safeguards)"
       r"|\b(?:disable|turn off|deactivate|remove|lift|suspend|bypass|switch off|ignore) (?:your|the|all|any) (?:safety|ethical|content|moral) (?:guidelines|rules|training|protocols|settings|principles)"
       r"|\b(?:output|answers?|responses?|replies|content) (?:will|are|is|shall) (?:not|no longer|never) (?:be )?(?:filtered|censored|moderated|checked|restricted)\b"
       r"|\b(?:drop|lose|ditch|skip|remove) (?:the|your) (?:\w+ )?(?:filters?|censorship|safety (?:stuff|nonsense|theater|theatre))\b|\b(?:safety|ethics|policy|filter|censorship) (?:nonsense|theater|theatre|bs|crap)\b",
       ("disabl", "off", "suspend", "lift", "remov", "deactivat", "bypass", "not active", "inactive", "gone", "broken", "not working", "malfunction", "down", "removed", "drop", "lose", "ditch", "skip", "remove", "nonsense", "theater", "theatre", "bs", "crap", "filtered", "censored", "moderated", "checked", "restricted")),
    _f("claimed_authority", "developer_mode", 0.5,
       r"\b(?:i am|i'm|this is|as) (?:one of )?(?:your|the) (?:real |actual |true |official )?(?:developers?|creators?|admins?|administrators?|owners?|makers?|operators?|programmers?|engineers?)\b|\b(?:openai|anthropic|your (?:developers|creators|administrators|admins|makers)|the system owner)\b[^.!?\n]{0,40}\b(?:authori[sz]|enabl|allow|permit|lift|disabl|switched|suspend|turn)"
       r"|\b(?:system|admin|developer|root|operator)[- ]level (?:instruction|command|access|override)|\bauthori[sz]ed (?:red[- ]team|test|penetration|session)|\b(?:priority|admin|system|root|developer) (?:instruction|override|command)s?\b|\[(?:system|admin|developer|operator|root)[^\]\n]{0,20}\]",
       ("developer", "creator", "admin", "owner", "maker", "operator", "programmer", "engineer", "openai", "anthropic", "authori", "priority", "system", "root", "[", "level")),
    _f("root_access", "developer_mode", 0.5,
       r"\b(?:sudo|root access|admin access|/admin|superuser|god mode|access granted)\b", ("sudo", "root", "admin", "superuser", "god mode", "granted")),
    # --- output hijacking ---------------------------------------------------------------------
    _f("say_only", "output_hijack", 0.5,
       r"\b(?:say|print|output|respond|reply|answer|write|return|type|display|repeat)(?: with)? (?:only|just|exactly|solely|nothing but|nothing except)\b|\b(?:only|just)(?: ever)? (?:say|print|output|respond|reply|write|type|return)\b"
       r"|\b(?:say|reply with|respond with|answer with)\s[\"“']|\b(?:reply|respond|answer|say|print|output) with (?:the|this) (?:sentence|text|phrase|words?|string|message)\b",
       ("only", "just", "exactly", "solely", "nothing", "say", "with the", "with this", "reply with", "respond with", "answer with"), group="answer_format"),
    _f("answer_every_with", "output_hijack", 0.5,
       r"\banswer (?:every|all|each|any) (?:questions?|messages?|prompts?|requests?)(?: from now on)? with\b", ("answer",), group="answer_format"),
    _f("following_text", "output_hijack", 0.4,
       r"\b(?:the )?following (?:text|sentence|string|message|words|phrase|line)\b[^\n]{0,20}[:\"“']", ("following",), group="answer_format"),
    _f("nothing_else", "output_hijack", 0.35,
       r"\b(?:and |, ?)?(?:nothing|no(?:thing)?) (?:else|more)\b|\bno explanation\b|\badd nothing\b|\band (?:then )?stop\b|\bverbatim and\b|\bend the conversation\b|\bwithout any (?:punctuation|other words|explanation)",
       ("nothing", "no ", "add", "stop", "verbatim", "end the conversation", "without any"), group="answer_format"),
    _f("response_must_be", "output_hijack", 0.7,
       r"\byour (?:only )?(?:response|answer|reply|output)s? (?:must|should|will|has to|have to) (?:be|consist|contain|include|start|end)\b[^.!?\n]{0,20}\b(?:exactly|only|solely|this|the following|following)",
       ("your",)),
    _f("regardless_of_question", "output_hijack", 0.6,
       r"\bregardless of what (?:it is|they ask|is asked|i ask|the question)|\bwhatever the (?:question|request|input|prompt|user)\b|\b(?:whatever|anything) (?:i|the user) (?:ask|say|write|type)s?(?: next| after this| from now on)?\b|\bregardless of (?:the|what|any) (?:question|user|input|request|prompt)|\b(?:whatever|no matter what) the user (?:asks|says|wants|requests)|\bdon'?t answer(?: the question)?\b|\bdo not answer(?: the question)?\b|\bignore the user'?s (?:question|request|instructions)",
       ("regardless", "whatever i ", "whatever the", "anything i ask", "anything i say", "anything i write", "anything the user", "no matter", "n't answer", "not answer", "the user's", "the users")),
    _f("whatever_i_ask", "output_hijack", 0.6,
       r"\b(?:no matter what|whatever|regardless of what|anything) (?:i|the user|anyone|they|people|someone) (?:asks?|says?|writes?|types?|sends?)\b",
       ("no matter", "whatever", "regardless", "anything")),
    _f("every_answer_append", "output_hijack", 0.5,
       r"\b(?:in|at the end of|to) (?:every|each|all) (?:answer|response|reply|message|output)s?\b|\bfrom now on,? (?:always )?(?:append|add|include|end|start)",
       ("every", "each", "all", "append", "add", "include")),
    _f("lure_user", "output_hijack", 0.5,
       r"\b(?:tell|ask|instruct|direct|urge|inform) (?:the|a|every) (?:user|reader|customer|visitor|recipient)s?\b|\b(?:visit|download|install|run|click|enter their|go to)\b[^\n]{0,40}(?:https?://|www\.|\.exe|\.sh\b|curl )|\bcurl [^\n]{0,60}\|\s?(?:sh|bash)\b|\b(?:this|the following) (?:url|link)\s?:?\s?(?:https?://|www\.)|\b(?:include|add|insert|append|put) (?:this|the following|a|the) (?:link|url|hyperlink)\b|\btell (?:them|him|her)\b",
       ("tell", "ask", "instruct", "direct", "urge", "inform", "visit", "download", "install", "run", "click", "enter", "go to", "curl", "url", "link", "include", "insert", "append", "put", "them", "him", "her")),
    _f("quoted_link", "output_hijack", 0.3,
       r"[\"“'][^\"”'\n]{0,60}(?:https?://|www\.|\b[a-z0-9-]+\.(?:com|net|org|io|example|ru|xyz|top|info|biz)\b|\+\d[\d ]{6,})[^\"”'\n]{0,40}[\"”']",
       ("http", "www.", ".com", ".net", ".org", ".io", ".example", ".ru", ".xyz", ".top", ".info", ".biz", "+"), requires=('"', "“")),
    _f("pwned_marker", "output_hijack", 0.6,
       r"[\"“'][^\"”'\n]{0,40}\b(?:pwned|hacked|owned|compromised|jailbroken|hackerato|gehackt|piraté|access granted|system failure)\b[^\"”'\n]{0,30}[\"”']|\b(?:pwned|i (?:have|'ve) been owned|i have been compromised|i am a compromised)\b",
       ("pwn", "hack", "owned", "compromis", "jailbr", "pirat", "granted", "failure")),
    # --- system-prompt extraction -------------------------------------------------------------
    _f("disclose_prompt", "extraction", 1.1, rf"\b{_DISCLOSE}\b[^.!?\n]{{0,40}}?\b{_HIDDEN_PROMPT}\b",
       ("prompt", "instruction", "rules", "configuration", "guidelines", "message")),
    _f("what_were_you_told", "extraction", 0.9,
       r"\b(?:what|which) (?:\w+ )?(?:are|were) you (?:told|instructed|asked|programmed) (?:to )?(?:avoid|not|never)\b|\b(?:what|which|everything|all|anything) (?:were you|have you been|are you|you were|you've been|you have been|that you (?:were|have been)|did (?:the developer|they|your (?:developer|creator|operator)s?)) (?:told|instructed|given|programmed|asked|configured)\b|\bwhat did (?:the|your) (?:developer|operator|creator|admin)s? (?:tell|instruct|ask) you",
       ("told", "instruct", "given", "programmed", "asked", "configured", "tell")),
    _f("text_above", "extraction", 0.7,
       r"\b(?:words|text|everything|all|content|what(?:ever)?|contents|part|portion)(?: of this conversation)?(?: (?:written|that (?:came|comes|is|was|appears?)|is|was|appears?|comes|came))? (?:above|before|prior to) (?:this|my|the first|our|[\"“']?user:)|\btext (?:that )?came before\b|\bcontext window\b|\bwords above\b",
       ("above", "before", "context window")),
    _f("disclose_preceding", "extraction", 0.5,
       rf"\b(?:{_DISCLOSE}|tl;?dr)\b[^.!?\n]{{0,30}}\b(?:text|words|everything|content|messages?|lines|part|parts|portion|section|all(?: of)? the)\b[^.!?\n]{{0,40}}\b(?:before|above|preceding|prior to)\b",
       ("before", "above", "preceding", "prior to", "tl;dr", "tldr")),
    _f("secrets_you_know", "extraction", 0.6,
       r"\b(?:api keys?|passwords?|secrets|credentials|tokens|access keys?|private keys?)\b (?:that )?(?:you (?:know|have|can see|can access|were given|store)|in your (?:memory|context|prompt|instructions))",
       ("key", "password", "secret", "credential", "token")),
    _f("ask_secret", "extraction", 0.6,
       r"\b(?:what'?s|what is|tell me|give me|reveal|share|spell|says?|print|write|reverse|encode|leak|output) (?:out )?(?:the|your|that) (?:secret |hidden |admin |master )?(?:password|passphrase|passcode|secret(?: word| key| code| phrase)?|pin|access code|api key|(?:hidden|secret|master) (?:key|word|code))\b(?!\s(?:policy|policies|manager|reset|requirements|rules|strength|length|field|hash))",
       ("what", "tell", "give", "reveal", "share", "spell", "say", "print", "write", "reverse", "encode", "leak", "says", "output"), requires=("password", "passphrase", "passcode", "secret", "pin", "access code", "api key", "hidden", "master")),
    _f("covert_disclosure", "extraction", 0.5,
       r"\b(?:backwards|in reverse|one letter per line|letter by letter|with (?:dashes|spaces|dots) between|replace each (?:vowel|letter)|so (?:it|that it) (?:doesn'?t|does not) count|first letters? of each (?:line|word) spell|acrostic|(?:first|last) (?:\w+ )?(?:letters|characters|digits)|in (?:another|a different) language|(?:story|poem|song|riddle|rhyme) where|hint)\b",
       ("backwards", "reverse", "letter", "dashes", "spaces", "dots", "replace", "count", "acrostic", "first", "last", "language", "story", "poem", "song", "riddle", "rhyme", "hint")),
    _f("forbidden_content", "extraction", 1.1,
       r"\b(?:what|which)\b[^?\n]{0,40}\byour (?:instructions|rules|prompt|guidelines|system prompt|programming)\b[^?\n]{0,30}\b(?:shouldn'?t|should not|must not|can'?t|cannot|aren'?t allowed to|are not allowed to|not supposed to|forbid)",
       ("what", "which"), requires=("shouldn", "should not", "must not", "can't", "cannot", "allowed", "supposed", "forbid")),
    _f("disclose_governance", "extraction", 1.0,
       rf"\b(?:{_DISCLOSE}|paste|list|copy)\b[^.!?\n]{{0,60}}\b(?:(?:instructions|rules|guidelines|prompt|configuration|setup) (?:your|the) (?:operator|developer|admin|company|creator|owner|deployer)s? (?:gave|wrote|set|configured|provided)|(?:hidden|secret|internal|private) (?:preamble|prompt|instructions|rules|guidelines|context|message))\b",
       ("reveal", "show", "print", "repeat", "output", "display", "tell", "give", "leak", "dump", "recite", "spell", "copy", "paste", "quote", "echo", "share", "list", "summar", "translat", "write", "provide", "send", "return", "what", "need", "want", "get")),
    _f("verbatim", "extraction", 0.35,
       r"\b(?:verbatim|word for word|exactly as (?:written|given|it is)|in full|(?:parts?|things|text|bits) (?:that )?the user (?:can'?t|cannot|doesn'?t|does not) see|leaving nothing out|including (?:any |all )?(?:hidden|the hidden|secret)|include everything|nothing left out|in its entirety|(?:copy|paste|quote) (?:it|them|that) (?:here )?(?:exactly|verbatim)|exact wording|in (?:a|one) (?:markdown |txt )?code ?block|inside (?:a )?code ?block|exactly as (?:it|they) (?:appears?|is|are|was|were))\b",
       ("verbatim", "word for word", "exactly", "in full", "leaving", "including", "include everything", "left out", "entirety", "copy", "paste", "quote", "user", "code block", "codeblock", "exact wording")),
    _f("first_n_of_prompt", "extraction", 1.1,
       r"\b(?:first|initial|opening|last) (?:\d+|few|hundred|fifty|ten|twenty) (?:words|characters|lines|tokens|sentences) of (?:your|the|this) (?:prompt|context|instructions|system|conversation|message|input)"
       r"|\b(?:first|initial|opening) (?:words|message|lines?|sentences?|instructions?) (?:you were|you've been|you have been) (?:told|given|sent)",
       ("first", "initial", "opening", "last", "told", "given", "sent")),
    _f("starting_with_you_are", "extraction", 0.7, r"\bstart(?:s|ing)? with (?:the (?:phrase|words) )?[\"“']?you are\b", ("start",)),
    _f("secret_in_instructions", "extraction", 0.6,
       r"\b(?:secret|password|passphrase|api key|key|code)s? (?:in|from) (?:your|the) (?:instructions|prompt|system|context|configuration)|\b(?:echo|print|dump|show)(?: back)? (?:the )?(?:full |your |entire )?(?:configuration|config|context|settings)\b",
       ("secret", "password", "key", "code", "echo", "print", "dump", "show")),
    # --- instructions addressed to the assistant inside data ----------------------------------
    _f("note_to_ai", "indirect", 0.8,
       rf"\((?:for|to|note to|note for) (?:the |any |all )?{_AI}s?\)|\b(?:note|instructions?|attention|important|notice|reminder)\s?[:\-]\s?(?:to |for )?(?:the |any |all |every )?(?:\w+ )?{_AI}s?\b|\b(?:note|notes|instructions?|message|attention|important|notice|reminder|memo|directive|guidelines|p\.?s\.?)[^\n]{{0,25}}?\b(?:to|for)\b (?:the |any |all |every |whatever |an? )?(?:automated |other )?{_AI}s?\b",
       ("note", "instruction", "message", "attention", "important", "notice", "reminder", "memo", "directive", "guideline", "p.s", "ps", "(for", "(to", "(note"), requires=_AI_WORDS),
    _f("addressed_to_ai", "indirect", 0.8,
       r"(?:^|\n)\s*(?:to|dear|attention|for|hi|hey|hello|note to)\b,? (?:the |any |all |whatever |our |you,? )?(?:automated |ai |llm |ai-powered )?(?:[a-z]+ )?(?:screener|reviewer|ai|assistant|model|llm|bot|agent|chatbot|gpt|copilot)s?\s?[:,]",
       ("to", "dear", "attention", "for", "hi", "hey", "hello", "note"), requires=_AI_WORDS),
    _f("if_you_are_ai", "indirect", 0.8,
       rf"\b(?:if|when|whenever|since) (?:you(?:'re| are)|ur) (?:an? |the )?{_AI}\b|\b(?:if|when|whenever|once) (?:an?|the|any) {_AI}\b[^.!?\n]{{0,20}}\b(?:reads?|processes|sees|summari[sz]es|is reading|parses|reviews)\b|\b(?:hey|hi|hello|dear|attention|yo|oh|also|btw|ps|and),? (?:the |any |whatever |you,? )?(?:\w+ )?{_AI}\b(?= ?[,:])|\b(?:hey|hi|hello|dear|attention|yo|oh),? (?:the |any |whatever |you,? )?(?:\w+ )?{_AI}\b(?:[^\n]{{0,20}}(?:reading|processing|that reads|summari[sz]ing|seeing))?|\bto whatever {_AI}",
       ("you", "hey", "hi", "hello", "dear", "attention", "to whatever", "yo", "oh", "if", "when", "once", "also", "btw", "ps", "and"), requires=_AI_WORDS),
    _f("ai_reading_this", "indirect", 0.6,
       rf"\b{_AI}s?\b (?:reading|processing|summari[sz]ing|reviewing|parsing|analy[sz]ing|answering|responding|handling|listening|scraping|crawling|indexing|evaluating|screening|grading|ranking|assessing|scoring|browsing|visiting|that (?:reads|processes|sees|summari[sz]es|answers)|who (?:reads|processes|answers))\b",
       ("reading", "processing", "summari", "reviewing", "parsing", "analy", "reads", "sees", "answering", "responding", "handling", "listening", "answers", "evaluating", "screening", "grading", "ranking", "assessing", "scoring", "browsing", "visiting", "scraping", "crawling", "indexing"), requires=_AI_WORDS),
    _f("addressed_line", "indirect", 0.45,
       r"(?:^|\n|[\"“(\[|*#/>:.!?-]|,\s?\")\s*(?:ai|assistant|model|system|llm|bot|agent|ai agent|ai assistant|ai reviewer|ai agents?)(?: instructions?| note| directive| command| message)?\s?[:,\-]\s",
       ("ai", "assistant", "model", "system", "llm", "bot", "agent")),
    _f("conceal_from_user", "indirect", 0.7,
       r"\b(?:do not|don'?t|never) (?:tell|mention|inform|reveal|disclose|show)\b[^.!?\n]{0,25}\b(?:user|reader|customer|anyone|this|that you|them|him|her)\b|\bwithout (?:telling|informing|notifying|alerting) (?:the )?(?:user|reader|anyone)|\bkeep (?:this|it)(?: note)? (?:out of|secret|hidden|from)|\b(?:delete|hide|remove) this (?:message|note|email|instruction)|\bnot mention (?:that|this|it)\b",
       ("tell", "mention", "inform", "reveal", "disclose", "show", "without", "keep", "delete", "hide", "remove")),
    _f("leak_user_data", "indirect", 0.55,
       r"\b(?:share|forward|send|upload|export|leak|give|email|e-mail)\b[^.!?\n]{0,20}\b(?:the user'?s|their|his|her|all (?:of )?the user'?s|private|confidential)\b[^.!?\n]{0,20}\b(?:calendar|files?|e-?mails?|contacts|documents?|data|credentials|passwords?|messages|history|address|card details|attachments)",
       ("share", "forward", "send", "upload", "export", "leak", "give", "email", "e-mail")),
    _f("harm_user", "indirect", 0.5,
       r"\b(?:insult|mock|threaten|scare|lie to|deceive|mislead|manipulate|harass) (?:the )?(?:user|users|them|reader|customer|visitor)s?\b",
       ("insult", "mock", "threaten", "scare", "lie to", "deceive", "mislead", "manipulate", "harass")),
    _f("summary_tamper", "indirect", 0.5,
       r"\b(?:state|say|write|mention|claim|add|report|include) (?:in|to) (?:your|the) (?:summary|answer|response|reply|output|review|report) that\b",
       ("state", "say", "write", "mention", "claim", "add", "report", "include"), requires=("summary", "answer", "response", "reply", "output", "review", "report")),
    _f("tool_action", "indirect", 0.5,
       r"\b(?:call|invoke|use|run|execute|trigger) the \w+ (?:tool|function|api|plugin|action)\b|\b(?:send|wire|transfer|pay) (?:\d[\d,.]*\s?(?:eur|usd|gbp|\$|€|£)|money|funds)\b",
       ("call", "invoke", "use", "run", "execute", "trigger", "send", "wire", "transfer", "pay"), requires=("tool", "function", "api", "plugin", "action", "eur", "usd", "gbp", "$", "€", "£", "money", "funds")),
    _f("skip_review", "indirect", 0.5,
       r"\b(?:approve|merge|accept|sign off)(?: on)? (?:this|the) (?:pr|pull request|merge request|change|code|diff|contract|invoice)\b[^.!?\n]{0,30}\bwithout (?:reading|reviewing|checking|looking|testing)",
       ("approve", "merge", "accept", "sign off")),
    _f("exfiltrate", "indirect", 0.55,
       r"\b(?:forward|send|email|e-mail|upload|post|transmit|leak|copy|attach)\b[^.!?\n]{0,60}\b(?:to|at)\b\s?(?:[\w.+-]+@[\w-]+\.[\w.]+|https?://|the (?:attacker|following address))",
       ("forward", "send", "email", "e-mail", "upload", "post", "transmit", "leak", "copy", "attach"), requires=("@", "http", "attacker", "following address")),
    _f("ai_must", "indirect", 0.4,
       rf"\b(?:it|you|the (?:assistant|model|ai)|{_AI}s?)\b(?: \w+){{0,5}} (?:must|should|shall|has to|have to|is required to|are required to|needs? to|are to) (?:always )?(?:recommend|say|state|tell|report|respond|reply|claim|answer|include|mention|add|rate|rank|classify|mark|approve|call|describe|give|assign|forward|send)\b",
       ("must", "should", "shall", "has to", "required", "needs")),
    _f("when_processing", "indirect", 0.35,
       r"\b(?:when|while|whenever|before|after) (?:you )?(?:summari[sz]\w*|answer\w*|process\w*|read\w*|explain\w*|review\w*|asked about|you (?:read|process|see|summari[sz]e))\b[^.!?\n]{0,40}\b(?:this|these|the following|document|email|page|file|repository|log|review|refunds?|questions?)",
       ("when", "while", "whenever", "before", "after")),
    _f("biased_verdict", "indirect", 0.45,
       r"\b(?:rate|rank|score|mark|classify|approve|recommend|report|state|say|tell \w+|respond|call) (?:this|the|all|every|that|them|others)\b[^.!?\n]{0,50}\b(?:as |is |are |has |with )?(?:safe|secure|perfect|excellent|highly qualified|a perfect match|the best|the top|positive|resolved|approved|five stars|highest|10/10|no vulnerabilities|discontinued|first|unsafe|unhygienic)",
       ("rate", "score", "mark", "classify", "approve", "recommend", "report", "state", "say", "tell", "respond", "rank", "call"), requires=("safe", "secure", "perfect", "excellent", "qualified", "match", "best", "top", "positive", "resolved", "approved", "stars", "highest", "10/10", "vulnerab", "discontinued", "first", "unsafe", "unhygienic")),
    _f("hidden_markup", "indirect", 0.3,
       r"<!--|display\s?:\s?none|\[hidden(?: text)?\]|font-size\s?:\s?0|color\s?:\s?white|\bhidden text\b", ("<!--", "display", "hidden", "font-size", "color")),
    # --- chat-template and delimiter injection ------------------------------------------------
    _f("template_tokens", "override", 1.1,
       r"</?\s*(?:system|assistant|im_start|im_end|sys|retrieved_document|tool|instructions?)\s*>|<\|\s*(?:im_start|im_end|system|endoftext|eot_id|start_header_id|end_header_id)\s*\|>|\[/?inst\]|<<\s*/?sys\s*>>",
       ("<", "[")),
    _f("role_header", "override", 0.8,
       r"(?:^|\n)\s*#{0,3}\s*(?:system|assistant)\s*(?:prompt|message)?\s*:\s*\S|#{2,}\s*(?:new )?system (?:instructions|prompt|message|override)\s*#*|\bsystem override\b",
       ("system", "assistant")),
    # --- encodings ----------------------------------------------------------------------------
    _f("decode_and_follow", "encoded", 0.6,
       r"\b(?:decode|decrypt|translate|reverse|read)\b[^.!?\n]{0,40}\b(?:and|then)\b[^.!?\n]{0,10}\b(?:follow|obey|execute|do (?:it|what it says|as it says)|run|comply|act on)",
       ("decode", "decrypt", "translate", "reverse", "read")),
)

# Other languages: an override verb and the model's instructions close together (strong), a
# request for the system prompt (strong), and a life "without restrictions" (weak).
_MULTI_OVERRIDE_VERB = (
    r"(?:忽视|ignorier\w*|vergiss|vergessen|missachte\w*|übergehe?|ignore[zrs]?|oublie[zrs]?|ne tiens pas compte|fais abstraction|ignorá|ignora[r]?|olvida\w*|omite|haz caso omiso|dimentica\w*|trascura|"
    r"esque[çc]a\w*|desconsidere|negeer|vergeet|игнорируй\w*|проигнорируй\w*|забудь\w*|не обращай внимания|忽略|忘记|忘掉|无视|不要理会|無視|忘れ|무시|잊어|تجاهل|انس|zignoruj|ignoruj|zapomnij|yok say|görmezden gel|unut|अनदेखा|भूल जाओ|नज़रअंदाज़)"
)
_MULTI_TARGET = (
    r"(?:richtlinien|vorschriften|anweisung\w*|instruktion\w*|regeln|befehle|vorgaben|system-?prompt|was man dir|(?:les|tes|vos|mes|ces) (?:instructions|directives)|consignes|règles|ce qu'on t'a dit|instrucciones|reglas|indicaciones|"
    r"lo que te dijeron|istruzioni|regole|indicazioni|instru[çc][õo]es|regras|instructies|regels|opdrachten|инструкци\w*|указани\w*|правил\w*|промпт\w*|指令|指示|说明|规则|提示词|系统提示|"
    r"命令|ルール|プロンプト|지시|명령|규칙|프롬프트|التعليمات|الأوامر|القواعد|instrukcj\w*|polece\w*|zasad\w*|talimat\w*|kural\w*|istem\w*|निर्देश\w*|नियम)"
)
MULTILINGUAL: tuple[Feature, ...] = (
    _f("foreign_override", "multilingual", 1.1,
       rf"{_MULTI_OVERRIDE_VERB}[^.!?。！？\n]{{0,40}}{_MULTI_TARGET}|(?:ignora|ignore[zr]?|ignoriere|negeer|ignoruj)\s(?:el|le|den|het|il|o|ten)\s(?:texto|texte|text|testo|documento|document|dokument|tekst)|{_MULTI_TARGET}[^.!?。！？\n]{{0,12}}(?:を|은|는|을|를)?\s?(?:すべて)?\s?(?:無視|忘れ|무시|잊어)",
       ("ignor", "vergiss", "vergessen", "missacht", "überg", "oubli", "tiens", "abstraction", "olvid", "omite", "caso", "dimentic", "trascur", "esque", "desconsider", "negeer", "vergeet",
        "игнор", "проигнор", "забудь", "обращай", "忽略", "忘", "无视", "理会", "無視", "무시", "잊어", "تجاهل", "انس", "zignoruj", "zapomnij", "yok say", "görmezden", "unut", "अनदेखा", "भूल", "नज़रअंदाज़", "忽视")),
    _f("foreign_disclose_prompt", "multilingual", 1.1,
       r"(?:zeig\w*|nenn\w*|gib|verrate|affiche\w*|montre\w*|révèle\w*|revele\w*|donne|muestra\w*|muéstra\w*|revela\w*|dime|mostra\w*|rivela\w*|mostre|покажи|выведи|раскрой|显示|输出|告诉我|展示|表示|見せ|보여|출력|pokaż|ujawnij|göster|दिखाएं|दिखाओ|اعرض|أظهر)"
       r"[^.!?。！？\n]{0,30}(?:system-?prompt|systemanweisung|prompt (?:système|systeme|del sistema|de sistema|di sistema|do sistema)|системн\w* (?:промпт|подсказк|инструкц)|系统提示|提示词|システムプロンプト|시스템 프롬프트|prompt systemowy|sistem istemi|सिस्टम प्रॉम्प्ट|موجه النظام|hasło|password|kennwort|passwort|mot de passe|contraseña|пароль|密码|パスワード|비밀번호|كلمة المرور|şifre)"
       r"|(?:system-?prompt|システムプロンプト|시스템 프롬프트|系统提示词?|prompt (?:système|del sistema|de sistema|di sistema|do sistema|systemowy)|sistem istemi|सिस्टम प्रॉम्प्ट)[^.!?。！？\n]{0,20}(?:表示|見せ|出力|보여|출력|显示|输出|göster|pokaż|दिखा)",
       ("zeig", "nenn", "gib", "verrat", "affich", "montr", "révèl", "revel", "donne", "muestr", "muéstr", "dime", "mostr", "rivel", "покажи", "выведи", "раскрой", "显示", "输出", "告诉", "展示", "表示", "見せ", "보여", "출력", "pokaż", "ujawnij", "göster", "दिखा", "اعرض", "أظهر",
        "system", "システム", "시스템", "系统", "sistema", "systemowy", "sistem", "सिस्टम")),
    _f("foreign_no_limits", "multilingual", 0.7,
       r"(?:ohne (?:jede |alle |irgendwelche )?(?:regeln|einschränkungen|grenzen|filter)|sans (?:aucune |la moindre )?(?:restriction|limite|règle|filtre)s?|sin (?:ninguna |ningún )?(?:restricci\w+|límites?|reglas|filtros?)|"
       r"senza (?:alcuna |restrizioni|limiti|regole|filtri)|sem (?:nenhuma |restri\w+|limites|regras|filtros)|zonder (?:beperkingen|regels|filters)|без (?:каких-либо |всяких )?(?:ограничений|правил|фильтров)|"
       r"没有任何限制|没有限制|无限制|不受限制|制限なし|制限のない|제한 없이|제한이 없는|بدون (?:قيود|أي قيود)|bez (?:ograniczeń|żadnych ograniczeń|filtrów|cenzury)|kısıtlama olmadan|sınırsız|बिना (?:किसी )?(?:प्रतिबंध|रोक))",
       ("ohne", "sans", "sin ", "senza", "sem ", "zonder", "без", "限制", "制限", "제한", "بدون", "bez", "kısıtlama", "sınırsız", "बिना")),
)
