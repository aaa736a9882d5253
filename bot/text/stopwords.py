"""Curated stop words per language, question words and question filler included.

Questions and passages go through the same analyzer, so a word listed here is dropped from
both: words that say *what kind* of answer is wanted (who, when, сколько ...) would otherwise
match every passage that happens to contain them and push the passages that contain the
question's real subject down. Lists are the Snowball stop lists, trimmed of words that carry
news content (month names such as "may", numerals such as "два", "us" which is also "U.S."),
plus interrogatives and auxiliaries. Words are listed in normalized form (casefolded, plain
apostrophe); Russian uses "е" for "ё" because the analyzer folds ё before the lookup.
"""

from __future__ import annotations

_ENGLISH = """
a about above after again against all am an and any are aren't as at be because been before
being below between both but by can can't cannot could couldn't did didn't do does doesn't
doing don't down during each either else ever few for from further had hadn't has hasn't have
haven't having he he'd he'll her here hers herself him himself his i i'd i'll i'm i've if in
into is isn't it its itself let me mine more most mustn't my myself neither no nor not of off
on once only or other ought our ours ourselves out over own same shall shan't she she'd she'll
should shouldn't so some such than that the their theirs them themselves then there these they
they'd they'll they're they've this those through to too under until up upon very was wasn't we
we'd we'll we're we've were weren't what whatever when whenever where wherever whether which
while who whoever whom whomever whose why will with won't would wouldn't you you'd you'll
you're you've your yours yourself yourselves how however many much might must also just
"""

_RUSSIAN = """
а без более больше будет будто бы был была были было быть в вам вас ведь весь во вот впрочем
все всегда всего всех всю вы где да даже для до другой его ее ей ему если есть еще ж же за
зачем здесь и из или им иногда их к как какая какие каким какими каких како какое какой
каком какому какую когда кого кое кой ком кому конечно которая которого которое которой
котором которую которые который которым которых кто кем куда ли лучше между меня мне много
может можно мой моя мы на над надо наконец нас не него нее ней нельзя нет ни нибудь никогда
ним них ничего но ну о об откуда отчего он она они оно опять от перед по под после потом
потому почему почти при про раз разве с сам свою себе себя сейчас сколько со совсем так также
такой там тебя тем теперь то тогда того тоже только том тот тут ты у уж уже хоть хорошо чего
чей чем через что чтоб чтобы чье чьи чья чему чуть эти этого этой этом этот эту я
"""

_GERMAN = """
aber als am an auch auf aus bei bin bis bist da dann das dass daß dem den der des die dies
diese diesem diesen dieser dieses doch du ein eine einem einen einer eines er es für hat haben
hatte hatten ich ihr im in ist ja kann mit wann nach nicht noch nur ob oder sein seine sich sie
sind so über um und uns von vom war waren warum was weil welche welchem welchen welcher
welches wem wen wer werden wessen weshalb wie wieso wieviel viele wird wo woher wohin wurde
wurden zu zum zur
"""

_FRENCH = """
a à ai as au aux avec avait c ce ces cet cette combien comment d dans de des du elle elles en
est et était été eu il ils j je l la le les leur lequel laquelle lesquels lesquelles lors
lui m ma mais me mes n ne nous on ont ou où par pas pour pourquoi qu quand que quel quelle
quelles quels qui quoi s sa sans se ses son sont sur t ta te tes toi ton tu un une vous y
"""

_SPANISH = """
a al como con cuál cuáles cuándo cuánto cuánta cuántos cuántas cómo de del donde dónde el
en es esta este ella ellas ellos era eran está están fue fueron ha han hay la las le les lo
los más me mi no nos o para pero por porque por qué que qué quien quién quienes quiénes se
ser sin sobre son su sus te tu un una uno unos unas y ya yo
"""

_ITALIAN = """
a ad al alla alle agli ai che chi ci come con cosa da dal dalla dei del della delle dello
dove di e è ed era erano gli ha hanno ho i il in la le lo ma mi ne nel nella non o per
perché qual quale quali quando quanto quanta quanti quante se si sono su sua sue suo suoi
sul sulla un una uno
"""

_PORTUGUESE = """
a ao aos as com como da das de do dos e é ela elas ele eles em era eram esta este foi foram
há isso isto mais mas me na nas no nos o onde os ou para pela pelas pelo pelos por porque
porquê quais qual quando quanto quanta quantos quantas que quem se sem ser seu seus sua suas
são também um uma umas uns
"""

STOP_WORDS: dict[str, frozenset[str]] = {
    "english": frozenset(_ENGLISH.split()),
    "russian": frozenset(_RUSSIAN.split()),
    "german": frozenset(_GERMAN.split()),
    "french": frozenset(_FRENCH.split()),
    "spanish": frozenset(_SPANISH.split()),
    "italian": frozenset(_ITALIAN.split()),
    "portuguese": frozenset(_PORTUGUESE.split()),
}

_FRENCH_ELISIONS = "l d j m n s t c qu jusqu lorsqu puisqu quoiqu presqu quelqu"
_ITALIAN_ELISIONS = "l d c un dell all dall nell sull coll pell quell quest nessun bell sant"

# Elided articles and prepositions glued to the next word by an apostrophe ("l'homme",
# "dell'anno"); the analyzer drops them like Lucene's ElisionFilter.
ELISIONS: dict[str, frozenset[str]] = {
    "french": frozenset(_FRENCH_ELISIONS.split()),
    "italian": frozenset(_ITALIAN_ELISIONS.split()),
}
