"""UI text of the authoring tabs.

Augment and review, train and test, recommendations, goal dialogues, the softphone.
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # tabs of the scenario page
    "authoring.tab.augment": {"en": "Augment & review", "ko": "예문 생성·검토"},
    "authoring.tab.train": {"en": "Train & test", "ko": "학습·테스트"},
    "authoring.tab.recommend": {"en": "Recommendations", "ko": "추천 응답"},
    "authoring.tab.goals": {"en": "Goal dialogues", "ko": "목표 대화"},
    "authoring.tab.softphone": {"en": "Talk to it", "ko": "전화 걸어 보기"},
    # jobs
    "authoring.job.queued": {"en": "Waiting to start…", "ko": "시작을 기다리는 중…"},
    "authoring.job.running": {"en": "Working…", "ko": "진행 중…"},
    "authoring.job.done": {"en": "Done", "ko": "완료"},
    "authoring.job.failed": {"en": "Failed: {error}", "ko": "실패: {error}"},
    "authoring.job.progress": {"en": "Progress", "ko": "진행률"},
    # augment and review
    "authoring.aug.title": {"en": "Generate training sentences", "ko": "학습 예문 생성"},
    "authoring.aug.intent": {"en": "Intent", "ko": "의도"},
    "authoring.aug.description": {"en": "Description", "ko": "설명"},
    "authoring.aug.no_description": {
        "en": "No description yet: write one in the Edit tab (zero-shot needs it).",
        "ko": "설명이 없습니다. 편집 탭에서 써 주세요 (설명만으로 생성할 때 필요합니다).",
    },
    "authoring.aug.examples": {"en": "{n} examples", "ko": "예문 {n}개"},
    "authoring.aug.method": {"en": "How", "ko": "생성 방법"},
    "authoring.method.deterministic": {
        "en": "Variants of the examples (fast, no LLM)",
        "ko": "예문 변형 (빠름, LLM 없이)",
    },
    "authoring.method.llm_few_shot": {
        "en": "LLM from the examples (few-shot)",
        "ko": "LLM, 예문 보고 생성 (퓨샷)",
    },
    "authoring.method.llm_zero_shot": {
        "en": "LLM from the description only (zero-shot)",
        "ko": "LLM, 설명만 보고 생성 (제로샷)",
    },
    "authoring.aug.n": {"en": "How many", "ko": "개수"},
    "authoring.aug.generate": {"en": "Generate", "ko": "생성"},
    "authoring.aug.made": {
        "en": "{added} new: {pending} to review, {rejected} screened out",
        "ko": "새 예문 {added}개: 검토할 것 {pending}개, 걸러진 것 {rejected}개",
    },
    "authoring.rev.title": {"en": "Review", "ko": "검토"},
    "authoring.rev.keys": {
        "en": "Keys: j / k move, a accept, r reject, e edit, x select; bulk buttons act on the selected rows.",
        "ko": "단축키: j / k 이동, a 채택, r 거절, e 수정, x 선택. 일괄 버튼은 선택한 줄에 적용됩니다.",
    },
    "authoring.rev.filter": {"en": "Filter", "ko": "거르기"},
    "authoring.rev.state": {"en": "State", "ko": "상태"},
    "authoring.rev.generator": {"en": "Generator", "ko": "생성기"},
    "authoring.rev.any": {"en": "any", "ko": "전체"},
    "authoring.rev.text": {"en": "Sentence", "ko": "문장"},
    "authoring.rev.provenance": {"en": "Provenance", "ko": "출처"},
    "authoring.rev.seed": {"en": "from", "ko": "원문"},
    "authoring.rev.prompt": {"en": "prompt", "ko": "프롬프트"},
    "authoring.rev.select": {"en": "Select", "ko": "선택"},
    "authoring.rev.select_all": {"en": "Select all", "ko": "모두 선택"},
    "authoring.rev.actions": {"en": "Actions", "ko": "작업"},
    "authoring.rev.accept": {"en": "Accept", "ko": "채택"},
    "authoring.rev.reject": {"en": "Reject", "ko": "거절"},
    "authoring.rev.edit": {"en": "Edit", "ko": "수정"},
    "authoring.rev.save_edit": {"en": "Save and accept", "ko": "저장하고 채택"},
    "authoring.rev.accept_selected": {"en": "Accept selected", "ko": "선택 채택"},
    "authoring.rev.reject_selected": {"en": "Reject selected", "ko": "선택 거절"},
    "authoring.rev.counts": {
        "en": "{pending} pending, {accepted} accepted, {rejected} rejected",
        "ko": "검토 대기 {pending}, 채택 {accepted}, 거절 {rejected}",
    },
    "authoring.rev.empty": {
        "en": "No candidates here yet: generate some above.",
        "ko": "아직 후보가 없습니다. 위에서 생성해 보세요.",
    },
    "authoring.rev.cli": {
        "en": "The same list as `aicall scenario review {sid}`.",
        "ko": "`aicall scenario review {sid}` 명령과 같은 목록입니다.",
    },
    "authoring.state.pending": {"en": "pending", "ko": "대기"},
    "authoring.state.accepted": {"en": "accepted", "ko": "채택"},
    "authoring.state.rejected": {"en": "rejected", "ko": "거절"},
    # train and test
    "authoring.train.title": {"en": "Train the understanding", "ko": "이해 모델 학습"},
    "authoring.train.engine": {"en": "Engine", "ko": "엔진"},
    "authoring.train.button": {"en": "Train", "ko": "학습"},
    "authoring.train.none": {
        "en": "Not trained in the console yet: calls use a model trained from the scenario file.",
        "ko": "아직 콘솔에서 학습하지 않았습니다. 통화는 시나리오 파일로 학습한 모델을 씁니다.",
    },
    "authoring.train.summary": {
        "en": "{engine}: {examples} examples + {accepted} accepted candidates, trained in {seconds} s",
        "ko": "{engine}: 예문 {examples}개 + 채택 후보 {accepted}개, 학습 {seconds}초",
    },
    "authoring.train.on_heldout": {
        "en": "Scored on the held-out file {file} ({n} sentences no generator saw).",
        "ko": "평가: 보류 파일 {file} (생성기가 보지 못한 문장 {n}개).",
    },
    "authoring.train.on_split": {
        "en": "No held-out file: scored on every {every}th example ({n}), held back from a second model.",
        "ko": "보류 파일이 없어, 예문 {every}개 중 하나씩({n}개)을 빼고 학습한 모델로 평가했습니다.",
    },
    "authoring.report.title": {"en": "Report", "ko": "평가 결과"},
    "authoring.report.intent_accuracy": {"en": "Intent accuracy", "ko": "의도 정확도"},
    "authoring.report.slot_f1": {"en": "Slot F1", "ko": "슬롯 F1"},
    "authoring.report.per_intent": {"en": "Accuracy per intent", "ko": "의도별 정확도"},
    "authoring.report.per_slot": {"en": "F1 per slot", "ko": "슬롯별 F1"},
    "authoring.report.confusion": {
        "en": "Confusion matrix (rows: the right intent, columns: what the model said)",
        "ko": "혼동 행렬 (행: 정답 의도, 열: 모델이 고른 의도)",
    },
    "authoring.report.before_after": {
        "en": "Before / after (the last two trainings)",
        "ko": "이전 / 이후 (최근 두 번의 학습)",
    },
    "authoring.report.before": {"en": "before", "ko": "이전"},
    "authoring.report.after": {"en": "after", "ko": "이후"},
    "authoring.report.only_one": {
        "en": "Train once more to compare with this one.",
        "ko": "한 번 더 학습하면 비교할 수 있습니다.",
    },
    "authoring.report.intent": {"en": "Intent", "ko": "의도"},
    "authoring.report.slot": {"en": "Slot", "ko": "슬롯"},
    "authoring.report.n": {"en": "n", "ko": "개수"},
    "authoring.try.title": {"en": "Try a sentence", "ko": "문장 시험하기"},
    "authoring.try.label": {"en": "What a caller might say", "ko": "손님이 할 만한 말"},
    "authoring.try.button": {"en": "Understand", "ko": "분석"},
    "authoring.try.intent": {"en": "Intent", "ko": "의도"},
    "authoring.try.confidence": {"en": "Confidence", "ko": "확신도"},
    "authoring.try.slots": {"en": "Slots", "ko": "슬롯"},
    "authoring.try.no_slots": {"en": "no slots", "ko": "슬롯 없음"},
    "authoring.try.model": {"en": "Model", "ko": "모델"},
    # recommendations
    "authoring.rec.title": {
        "en": "What the agent says, point by point",
        "ko": "단계별 상담원 응답",
    },
    "authoring.rec.task": {"en": "Task", "ko": "업무"},
    "authoring.rec.show": {"en": "Show", "ko": "보기"},
    "authoring.rec.llm": {"en": "Ask the LLM for rewordings", "ko": "LLM에 다른 표현 요청"},
    "authoring.rec.point": {"en": "Point", "ko": "단계"},
    "authoring.rec.proposals": {"en": "Proposals", "ko": "제안"},
    "authoring.rec.branches": {"en": "Branches", "ko": "분기"},
    "authoring.rec.use": {"en": "Use as template", "ko": "템플릿으로 사용"},
    "authoring.rec.in_use": {"en": "in use", "ko": "사용 중"},
    "authoring.rec.saved": {
        "en": "Template {key} saved (version {version}).",
        "ko": "템플릿 {key} 저장됨 (버전 {version}).",
    },
    "authoring.rec.dropped": {"en": "dropped ({reason})", "ko": "제외 ({reason})"},
    "authoring.rec.no_template": {"en": "(no template yet)", "ko": "(템플릿 없음)"},
    "authoring.rec.when.positive": {"en": "yes / gives it", "ko": "긍정 / 답함"},
    "authoring.rec.when.negative": {"en": "no / refuses", "ko": "부정 / 거부"},
    # goal dialogues
    "authoring.goals.title": {"en": "Goal dialogues", "ko": "목표 대화"},
    "authoring.goals.goal": {"en": "Goal: what the caller wants", "ko": "목표: 손님이 원하는 것"},
    "authoring.goals.placeholder": {
        "en": "a customer wants a table for 4 tomorrow at 7 pm",
        "ko": "손님이 내일 저녁 7시에 4명 예약을 원한다",
    },
    "authoring.goals.n": {"en": "Variants", "ko": "변형 수"},
    "authoring.goals.run": {"en": "Write and run", "ko": "작성하고 실행"},
    "authoring.goals.rerun": {
        "en": "Re-run failed ({n})",
        "ko": "실패한 대화 다시 실행 ({n})",
    },
    "authoring.goals.result": {"en": "Result", "ko": "결과"},
    "authoring.goals.variant": {"en": "Variant", "ko": "변형"},
    "authoring.goals.source": {"en": "Written by", "ko": "작성"},
    "authoring.goals.problems": {"en": "What differed", "ko": "어긋난 점"},
    "authoring.goals.transcript": {"en": "Transcript", "ko": "대화록"},
    "authoring.goals.summary": {
        "en": "{passed} passed, {failed} failed",
        "ko": "통과 {passed}, 실패 {failed}",
    },
    "authoring.goals.pass": {"en": "PASS", "ko": "통과"},
    "authoring.goals.fail": {"en": "FAIL", "ko": "실패"},
    "authoring.goals.use_llm": {
        "en": "LLM writes the caller's lines",
        "ko": "손님 대사를 LLM이 작성",
    },
    # softphone
    "authoring.phone.title": {"en": "Talk to it", "ko": "전화 걸어 보기"},
    "authoring.phone.intro": {
        "en": "Calls this scenario through the real phone path with your microphone.",
        "ko": "마이크로 이 시나리오에 실제 전화 경로로 전화를 겁니다.",
    },
    "authoring.phone.call": {"en": "Call", "ko": "전화 걸기"},
    "authoring.phone.hangup": {"en": "Hang up", "ko": "끊기"},
    "authoring.phone.keypad": {"en": "Keypad", "ko": "키패드"},
    "authoring.phone.transcript": {"en": "Transcript", "ko": "대화"},
    "authoring.phone.latency": {
        "en": "Latency: from the end of your words to the agent's first sound.",
        "ko": "지연: 말이 끝난 뒤 상담원 첫 소리까지.",
    },
    "authoring.phone.status": {"en": "Status", "ko": "상태"},
}
