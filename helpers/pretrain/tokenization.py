"""The course checkpoints' tokenizers, built from the course's own data."""

from __future__ import annotations


def char_tokenizer(vocab: list[str], specials: list[str], bert: bool):
    """A one-character-per-token tokenizer with a fixed, frequency-ordered vocabulary.

    Same behaviour as lesson 02's Chinese WordPiece (every Chinese character is a token),
    but the ids are decided by sorted counts, so rebuilding gives identical ids.
    """
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.WordLevel({t: i for i, t in enumerate(vocab)}, unk_token=specials[1] if bert else specials[2]))
    tok.normalizer = normalizers.NFKC()
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Split(Regex("."), behavior="isolated")])
    tok.decoder = decoders.Fuse()
    if bert:
        cls, sep = vocab.index("[CLS]"), vocab.index("[SEP]")
        tok.post_processor = processors.TemplateProcessing(
            single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", cls), ("[SEP]", sep)])
        return PreTrainedTokenizerFast(
            tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]", sep_token="[SEP]",
            mask_token="[MASK]", model_input_names=["input_ids", "token_type_ids", "attention_mask"])
    tok.post_processor = processors.TemplateProcessing(single="$A </s>", special_tokens=[("</s>", vocab.index("</s>"))])
    return PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="<unk>", pad_token="<pad>", eos_token="</s>",
                                   model_input_names=["input_ids", "attention_mask"])


def byte_bpe(texts: list[str], vocab_size: int):
    """GPT-2-style byte-level BPE trained on ``texts`` (a ``tokenizers.Tokenizer``).

    Lesson 02 writes it out as ``train_byte_bpe`` and checks this copy builds the same pipeline.
    """
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=["<|endoftext|>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(texts, trainer)
    return tok


def byte_bpe_tokenizer(texts: list[str], vocab_size: int):
    """:func:`byte_bpe` wrapped for ``transformers``, with ``<|endoftext|>`` as bos/eos/unk (the gpt-en checkpoint's)."""
    from transformers import PreTrainedTokenizerFast

    return PreTrainedTokenizerFast(tokenizer_object=byte_bpe(texts, vocab_size), bos_token="<|endoftext|>",
                                   eos_token="<|endoftext|>", unk_token="<|endoftext|>",
                                   model_input_names=["input_ids", "attention_mask"])


def encode_char_tags(tokenizer, chars: list[list[str]], tags: list[list[str]], label_id: dict[str, int], seq_len: int):
    """Character windows for a one-token-per-character tokenizer as ``(ids, labels)`` tensors of width ``seq_len``:
    ``[CLS] chars [SEP]`` then padding (id 0); a label per character, -100 on [CLS], [SEP] and padding.
    Used by the albert-zh-ner (BIO) and bert-zh-cws (B/M/E/S) recipes."""
    import torch

    ids = torch.zeros(len(chars), seq_len, dtype=torch.long)
    labels = torch.full((len(chars), seq_len), -100)
    for i, (cs, ts) in enumerate(zip(chars, tags)):
        ids[i, : len(cs) + 2] = torch.tensor([tokenizer.cls_token_id, *tokenizer.convert_tokens_to_ids(cs),
                                              tokenizer.sep_token_id])
        labels[i, 1 : len(cs) + 1] = torch.tensor([label_id[t] for t in ts])
    return ids, labels


GPT_ZH_SPECIALS = ["<pad>", "<unk>", "<|endoftext|>"]  # ids 0, 1, 2 of the gpt-zh character vocabulary


def char_lm_tokenizer(vocab: list[str]):
    """One token per character, spaces and line breaks included, for the gpt-zh causal LM (lesson 11).

    Unlike :func:`char_tokenizer` nothing is split off as whitespace: a space is a token, so an answer such
    as a segmentation (words separated by spaces) survives encoding and decoding. ``vocab`` starts with
    :data:`GPT_ZH_SPECIALS`; ``<|endoftext|>`` is bos and eos (GPT-2's convention), ``<pad>`` pads.
    """
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    if vocab[: len(GPT_ZH_SPECIALS)] != GPT_ZH_SPECIALS:
        raise ValueError(f"the vocabulary must start with {GPT_ZH_SPECIALS}, got {vocab[:3]}")
    tok = Tokenizer(models.WordLevel({t: i for i, t in enumerate(vocab)}, unk_token="<unk>"))
    tok.normalizer = normalizers.NFKC()
    tok.pre_tokenizer = pre_tokenizers.Split(Regex("."), behavior="isolated")  # "." matches a space too, not "\n"
    tok.decoder = decoders.Fuse()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="<unk>", pad_token="<pad>",
                                        bos_token="<|endoftext|>", eos_token="<|endoftext|>",
                                        model_input_names=["input_ids", "attention_mask"])
    return tokenizer
