"""Messages that ask for nothing the agent does: thanks, greetings, off-topic chat, open questions, plain
acknowledgements."""

from __future__ import annotations

import re

from backend.agent.nlu.intent_cues.base import words

THANKS = re.compile(
    words(
        "thanks",
        "thank you",
        "thank u",
        "thankyou",
        "thanku",
        "cheers",
        "much appreciated",
        "grateful",
        "you're the best",
        "you rock",
        "appreciate (?:it|that|you|the help|your help)",
    )
)
# "Massage in two weeks please 🙏": a service and a day asked for with a please is a request, whatever thanks
# comes with it (🙏 reads as thanks); a bare "thanks, see you Friday" still closes.
POLITE_REQUEST = re.compile(words("please", "pls", "plz", "plse", "kindly"))
GREETING = re.compile(
    words(
        "hi",
        "hello",
        "hey",
        "hiya",
        "heya",
        "howdy",
        "hallo",
        "greetings",
        "good (?:morning|afternoon|evening|day)",
    )
    + r"|^(?:yo|sup|morning|afternoon|evening)(?: (?:there|all|everyone))?$"
)
OFF_TOPIC_WORDS = re.compile(
    words(
        "weather",
        "forecast",
        "raining",
        "snowing",
        "temperature",
        "news",
        r"jokes?",
        r"sports?",
        "score",
        "football",
        "soccer",
        "basketball",
        "baseball",
        r"stocks?",
        "bitcoin",
        "crypto",
        "recipe",
        "president",
        "election",
        "politics",
        r"movies?",
        r"songs?",
        "lyrics",
        "poem",
        "homework",
        "horoscope",
        "lottery",
        "meaning of life",
        "capital of",
        "translate",
        "who won",
    )
)
# A question the rules cannot answer ("how much is a haircut?"); "what about Friday?" is an answer instead.
OPEN_QUESTION_START = re.compile(
    r"^(?:\w+ ){0,2}?(?:what|what's|who|who's|where|where's|why|how|how's|which)\b(?! (?:about|if)\b)"
)
ACKNOWLEDGEMENT = re.compile(
    r"^"
    + words(
        "yes",
        "yeah",
        "yep",
        "yup",
        "ya",
        "yah",
        "sure",
        "ok",
        "okay",
        "k",
        "kk",
        "alright",
        "all right",
        "right",
        "correct",
        "exactly",
        "sounds good",
        "perfect",
        "great",
        "awesome",
        "cool",
        "fine",
        "no",
        "nope",
        "nah",
        "works",
        "that works",
        "please",
        "that's fine",
        "that's right",
        "absolutely",
        "definitely",
        "of course",
    )
)
