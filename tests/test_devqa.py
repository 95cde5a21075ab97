"""Sites read from their bodies outward (`threads.BodyRules`, `sites/devqa.py`) and the repeated-post
detector's tolerance of state classes, on small pages."""

from __future__ import annotations

from dlqa.blocks import parse_html
from dlqa.extract import parse_text
from dlqa.sites import posts
from dlqa.sites.threads import BodyRules, has_class, read_body_blocks


def _answer(name: str, text: str, extra_class: str = "") -> str:
    return (f"<div class='answer-item {extra_class}'><div class='info'><a href='/u/{name}'>{name}</a></div>"
            f"<div class='answer-content'>{text}</div></div>")


def test_an_accepted_answer_with_a_state_class_is_read_with_the_others():
    for state in ("is-accepted", "answer-item-accepted", "active"):
        page = parse_html("<html><body><div class='list'>" + _answer("a", "先查学习率。", state)
                          + _answer("b", "再查数据归一化。") + _answer("c", "最后看梯度裁剪。") + "</div></body></html>")
        found = posts.detect(page, None)
        assert found is not None, state
        assert [(p.author, p.body) for p in found] == [("a", "先查学习率。"), ("b", "再查数据归一化。"), ("c", "最后看梯度裁剪。")]


def test_csdn_user_homes_are_profile_links():
    assert posts.PROFILE_HREF.search("https://blog.csdn.net/weixin_45213377")
    assert posts.PROFILE_HREF.search("//blog.csdn.net/grad_clip/")
    assert not posts.PROFILE_HREF.search("https://blog.csdn.net/grad_clip/article/details/1234567")


RULES = BodyRules(body=f"//*[{has_class('text')}]", author=".//a[contains(@href,'/users/')][normalize-space()]",
                  link=".//a[contains(@href,'#c')]/@href")


def test_a_post_is_the_nearest_block_naming_an_author_outside_its_body():
    page = parse_html(
        "<html><body><div class='comment'><div class='main'><a href='/users/1'>甲</a>"
        "<div class='text'>同意 <a href='/users/2'>乙</a> 的看法，dropout 要关掉。</div><a href='#c1'>#1</a>"
        "<div class='sub'><div class='main'><a href='/users/2'>乙</a><div class='text'>谢谢补充。</div></div></div>"
        "</div></div></body></html>")
    found = [post for post, _ in read_body_blocks(page, RULES, "https://example.com/t/9")]
    assert [(p.author, p.body) for p in found] == [("甲", "同意 乙 的看法，dropout 要关掉。"), ("乙", "谢谢补充。")]
    assert found[0].url == "https://example.com/t/9#c1"


def test_a_body_no_author_names_is_not_a_post():
    page = parse_html("<html><body><div><div class='text'>广告：GPU 特惠</div></div></body></html>")
    assert read_body_blocks(page, RULES, None) == []


def test_a_csdn_question_saved_without_its_url_is_recognised_by_its_title():
    html = ("<html><head><title>梯度消失怎么办 - CSDN问答</title></head><body>"
            "<div id='csdn-toolbar'><a href='https://blog.csdn.net/'>博客</a></div><section class='title-box'><h1>梯度消失怎么办</h1><a href='https://blog.csdn.net/asker'>asker</a></section>"
            "<section class='question_show_box'><div class='md_content_show'>十层 sigmoid 训练不动。</div></section>"
            "<div class='answer'><a href='https://blog.csdn.net/relu_fan'>relu_fan</a>"
            "<div class='answer-content-item'>换成 ReLU 并加残差连接。</div></div></body></html>")
    page = parse_text(html, "q.html", is_html=True)
    assert page.site == "csdn" and page.title == "梯度消失怎么办"
    assert page.description == "十层 sigmoid 训练不动。" and page.meta["asked_by"] == "asker"
    assert [(a.author, a.body) for a in page.answers] == [("relu_fan", "换成 ReLU 并加残差连接。")]


def test_a_page_of_those_hosts_without_posts_is_still_read():
    html = ("<html><head><title>个人主页_牛客网</title><link rel='canonical' href='https://www.nowcoder.com/users/42'>"
            "</head><body><nav>首页 面经</nav><main><p>" + "这位用户关注深度学习和推荐系统。" * 3 + "</p></main></body></html>")
    page = parse_text(html, "u.html", is_html=True)
    assert page.site == "web" and len(page.answers) == 1
    assert page.answers[0].body.startswith("这位用户关注深度学习和推荐系统。")


def test_an_article_on_a_qa_host_is_not_read_as_a_question():
    article = ("<div class='article'><h1>卷积神经网络入门</h1><a href='/developer/user/7'>作者甲</a>"
               "<div class='rno-markdown'><p>" + "卷积核在图像上滑动，提取局部特征。" * 5 + "</p></div></div>")
    for url, title in (("https://cloud.tencent.com/developer/article/2300001", "卷积神经网络入门-腾讯云开发者社区-腾讯云"),
                       (None, "卷积神经网络入门-腾讯云开发者社区-腾讯云")):
        head = f"<title>{title}</title>" + (f"<link rel='canonical' href='{url}'>" if url else "")
        page = parse_text(f"<html><head>{head}</head><body>{article}</body></html>", "a.html", is_html=True)
        assert page.site != "tencentcloud" and len(page.answers) == 1, url
        assert "卷积核在图像上滑动" in page.answers[0].body, url


def test_a_question_whose_title_sits_apart_is_the_first_post_without_an_answer_link():
    def block(user: str, text: str, link: str = "") -> str:
        own = f"<a href='{link}'>回答于 2023-06-11</a>" if link else ""
        return f"<div class='item'><a href='/developer/user/{user}'>{user}</a><div class='rno-markdown'>{text}</div>{own}</div>"

    html = ("<html><head><title>BN 放在激活前还是后-腾讯云开发者社区-腾讯云</title>"
            "<link rel='canonical' href='https://cloud.tencent.com/developer/ask/77'></head><body>"
            "<header><h1>BN 放在激活前还是后</h1></header>"
            + block("asker", "原论文放在激活前，很多实现放在后面。")
            + block("ans1", "放在激活前更常见。", "/developer/ask/77/answer/1")
            + block("ans2", "两者差别不大，看实验。", "/developer/ask/77/answer/2") + "</body></html>")
    page = parse_text(html, "q.html", is_html=True)
    assert page.site == "tencentcloud" and page.description == "原论文放在激活前，很多实现放在后面。"
    assert [(a.author, a.url) for a in page.answers] == [
        ("ans1", "https://cloud.tencent.com/developer/ask/77/answer/1"),
        ("ans2", "https://cloud.tencent.com/developer/ask/77/answer/2")]
